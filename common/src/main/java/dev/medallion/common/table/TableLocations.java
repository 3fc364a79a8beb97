package dev.medallion.common.table;

import java.util.Objects;

/**
 * Where every table and checkpoint lives under {@code lakehouse.root}. These paths are a public
 * contract: the Airflow DAGs, analysts' queries and the tests rely on them.
 *
 * <pre>
 * &lt;root&gt;/bronze/events                 raw Kafka records
 * &lt;root&gt;/silver/events                 valid, deduplicated, enriched events
 * &lt;root&gt;/silver/quarantine             invalid records with the reason
 * &lt;root&gt;/gold/&lt;table&gt;                  aggregates
 * &lt;root&gt;/_checkpoints/&lt;layer&gt;/&lt;table&gt;  streaming checkpoints
 * &lt;root&gt;/_ops/&lt;name&gt;                   run bookkeeping (the run ledger, runs)
 * &lt;root&gt;/_staging/&lt;layer&gt;             a layer's tables while a full refresh rebuilds them
 * &lt;root&gt;/_locks/&lt;layer&gt;.lock           the lock a run of the layer holds
 * </pre>
 */
public record TableLocations(String root) {

  public TableLocations {
    Objects.requireNonNull(root, "root");
    if (root.isBlank()) {
      throw new IllegalArgumentException("Cannot use a blank lakehouse root");
    }
    // A local path is made absolute: Delta and Spark resolve relative paths differently.
    root =
        root.contains("://")
            ? root
            : java.nio.file.Path.of(root).toAbsolutePath().normalize().toString();
    root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** Where the declared table lives: {@code <root>/<layer>/<name>}. */
  public String of(TableSpec table) {
    return root + "/" + table.relativePath();
  }

  public String bronzeEvents() {
    return of(CoreTables.BRONZE_EVENTS);
  }

  public String silverEvents() {
    return of(CoreTables.SILVER_EVENTS);
  }

  public String silverQuarantine() {
    return of(CoreTables.SILVER_QUARANTINE);
  }

  public String ops(String name) {
    return root + "/" + opsPath(name);
  }

  /** Where {@link #ops} keeps {@code name}, relative to the root. */
  public static String opsPath(String name) {
    return "_ops/" + name;
  }

  public String checkpoint(String layer, String table) {
    return root + "/_checkpoints/" + layer + "/" + table;
  }

  /** The checkpoint of a layer's query over another layer's table. */
  public String checkpoint(StreamReader reader) {
    return checkpoint(reader.layer(), reader.query());
  }

  /** The lock a run of {@code layer} holds while it runs. */
  public String lock(String layer) {
    return root + "/_locks/" + layer + ".lock";
  }

  /** Where a full refresh of {@code layer} builds its tables before they replace the live ones. */
  public String staging(String layer) {
    return root + "/_staging/" + layer;
  }
}
