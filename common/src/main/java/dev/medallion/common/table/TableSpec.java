package dev.medallion.common.table;

import java.util.List;
import java.util.Objects;

/**
 * The declaration of one table: which layer owns (writes) it, its name, and how it is laid out. Its
 * location ({@code <root>/<layer>/<name>}), its SQL name ({@code <layer>.<name>}) and the lock its
 * writers hold ({@code <layer>}) all follow from it, so no one spells them again.
 *
 * @param layer the layer whose job writes the table, and whose lock guards it
 * @param name the table's name within its layer, in lower_snake_case
 * @param partitionBy partition columns
 * @param zOrder columns maintenance Z-orders the table by (may be empty)
 * @param readers the streaming queries of other layers that read the table
 * @param optimizeFileBytes the size OPTIMIZE aims each file at, or 0 for Delta's default (1 GB),
 *     unless the session sets {@code spark.databricks.delta.optimize.maxFileSize}: a table each run
 *     rewrites a few files of keeps them small, so that a run rewrites little
 */
public record TableSpec(
    String layer,
    String name,
    List<String> partitionBy,
    List<String> zOrder,
    List<StreamReader> readers,
    long optimizeFileBytes) {

  /** A table whose files OPTIMIZE sizes as Delta does by default. */
  public TableSpec(
      String layer,
      String name,
      List<String> partitionBy,
      List<String> zOrder,
      List<StreamReader> readers) {
    this(layer, name, partitionBy, zOrder, readers, 0);
  }

  public TableSpec {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(name, "name");
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "Cannot name a table '" + name + "': use lower_snake_case");
    }
    if (optimizeFileBytes < 0) {
      throw new IllegalArgumentException(
          "Cannot aim table " + name + "'s files at " + optimizeFileBytes + " bytes");
    }
    partitionBy = List.copyOf(partitionBy);
    zOrder = List.copyOf(zOrder);
    readers = List.copyOf(readers);
  }

  /** The name SQL uses: {@code <layer>.<name>}. */
  public String sqlName() {
    return layer + "." + name;
  }

  /** The location under the lakehouse root: {@code <layer>/<name>}. */
  public String relativePath() {
    return layer + "/" + name;
  }
}
