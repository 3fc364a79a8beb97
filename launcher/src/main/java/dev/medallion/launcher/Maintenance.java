package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.table.StreamReader;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.SparkSession;

/**
 * Table maintenance: OPTIMIZE (compacting small files, Z-ordered by the columns each table
 * declares) and VACUUM (deleting files no version within the retention needs). VACUUM never goes
 * below Delta's safe default of 168 hours unless the operator says so explicitly, and never deletes
 * what a downstream streaming reader still has to read.
 */
final class Maintenance {
  static final int SAFE_RETENTION_HOURS = 168;

  /** The size OPTIMIZE aims its files at (Delta's default: 1 GB). */
  private static final String OPTIMIZE_FILE_SIZE = "spark.databricks.delta.optimize.maxFileSize";

  private Maintenance() {}

  /** Each maintained table by SQL name, with the columns OPTIMIZE Z-orders it by (may be empty). */
  static Map<String, List<String>> zOrderColumns(TableCatalog catalog) {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    catalog.all().forEach(table -> columns.put(table.sqlName(), table.zOrder()));
    return columns;
  }

  /**
   * Refuses, before anything changes, when a reader still has to read versions committed before the
   * retention horizon: VACUUM could delete files (or change data files) it has yet to read, and its
   * next run would fail for good. A reader that caught up needs nothing VACUUM deletes.
   */
  static void checkReaders(
      SparkSession spark,
      TableCatalog catalog,
      TableLocations locations,
      String table,
      String path,
      long latest,
      int retentionHours) {
    Instant horizon = Instant.now().minus(Duration.ofHours(retentionHours));
    for (StreamReader reader : catalog.named(table).map(TableSpec::readers).orElse(List.of())) {
      OptionalLong firstUnread =
          ReaderPosition.firstUnreadVersion(spark, locations.checkpoint(reader));
      if (firstUnread.isEmpty() || firstUnread.getAsLong() > latest) {
        continue;
      }
      // Commits that only rearrange files (an OPTIMIZE, say, of a maintain that was killed before
      // its VACUUM) are nothing the reader has to read.
      OptionalLong needed = DeltaTables.firstDataChange(spark, path, firstUnread.getAsLong());
      if (needed.isEmpty()) {
        continue;
      }
      Instant committed = DeltaTables.commitTime(spark, path, needed.getAsLong());
      if (committed.isBefore(horizon)) {
        throw Errors.jobFailed(
            String.format(
                "Refusing to VACUUM %s: %s has not read it since v%d (committed %s; the table is at"
                    + " v%d), which is older than the retention of %d hours, so VACUUM could delete"
                    + " files %s still needs; run bin/medallion %s first, then maintain again",
                table,
                reader.layer(),
                needed.getAsLong(),
                committed,
                latest,
                retentionHours,
                reader.layer(),
                reader.layer()),
            null);
      }
    }
  }

  /** Checks a request before Spark starts: a known table, and a safe retention unless forced. */
  static void validate(
      TableCatalog catalog, String table, int retentionHours, boolean allowUnsafeRetention) {
    if (!zOrderColumns(catalog).containsKey(table)) {
      throw Errors.usage(
          "Unknown table '"
              + table
              + "'; maintained tables: "
              + String.join(", ", zOrderColumns(catalog).keySet()));
    }
    if (retentionHours < SAFE_RETENTION_HOURS && !allowUnsafeRetention) {
      throw Errors.usage(
          "Refusing to VACUUM with a retention of "
              + retentionHours
              + " hours: below the safe "
              + SAFE_RETENTION_HOURS
              + " hours a running reader or a streaming job's checkpoint may lose files; add"
              + " --allow-unsafe-retention if you are sure");
    }
  }

  /**
   * Maintenance of one table as a run of the layer that owns it, for {@link LayerRun} to run under
   * that layer's lock: maintenance writes to the table. Call {@link #validate} first.
   */
  static LayerJob<String> job(
      MedallionConfig config, String table, int retentionHours, boolean allowUnsafeRetention) {
    TableCatalog catalog = TableCatalog.of(config);
    String layer = catalog.named(table).orElseThrow().layer();
    TableLocations locations = config.tables();
    return new LayerJob<>(
        layer,
        catalog.ofLayer(layer),
        "maintain --table " + table + " --retention-hours " + retentionHours,
        spark -> run(spark, catalog, locations, table, retentionHours, allowUnsafeRetention),
        (spark, line, seconds) ->
            new RunSummary(
                layer,
                0,
                0,
                line,
                seconds,
                new RunFacts(
                    Map.of(),
                    0,
                    List.of(),
                    List.of(),
                    Map.of(
                        table,
                        DeltaTables.version(
                            spark, SqlCatalog.tables(catalog, locations).get(table))),
                    0,
                    Map.of())));
  }

  /** OPTIMIZE then VACUUM one table; call {@link #validate} first. */
  static String run(
      SparkSession spark,
      TableCatalog catalog,
      TableLocations locations,
      String table,
      int retentionHours,
      boolean allowUnsafeRetention) {
    TableSpec spec = catalog.named(table).orElseThrow();
    List<String> zOrder = spec.zOrder();
    String path = SqlCatalog.tables(catalog, locations).get(table);
    long version = DeltaTables.version(spark, path);
    if (version == DeltaTables.NO_VERSION) {
      return table + ": no table at " + path + ", nothing to maintain";
    }
    checkReaders(spark, catalog, locations, table, path, version, retentionHours);
    String target = DeltaTables.sqlIdentifier(path);
    // The table's file size unless the operator set one for the session.
    long fileBytes = spec.optimizeFileBytes();
    boolean sized = fileBytes > 0 && spark.conf().get(OPTIMIZE_FILE_SIZE, null) == null;
    if (sized) {
      spark.conf().set(OPTIMIZE_FILE_SIZE, fileBytes);
    }
    try {
      spark.sql(
          "OPTIMIZE "
              + target
              + (zOrder.isEmpty() ? "" : " ZORDER BY (" + String.join(", ", zOrder) + ")"));
    } finally {
      if (sized) {
        spark.conf().unset(OPTIMIZE_FILE_SIZE);
      }
    }
    if (allowUnsafeRetention) {
      spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    }
    spark.sql("VACUUM " + target + " RETAIN " + retentionHours + " HOURS");
    return table
        + ": optimized"
        + (zOrder.isEmpty() ? "" : " (Z-order " + String.join(", ", zOrder) + ")")
        + ", vacuumed files older than "
        + retentionHours
        + " hours";
  }
}
