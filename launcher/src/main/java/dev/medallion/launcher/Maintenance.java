package dev.medallion.launcher;

import dev.medallion.common.TableLocations;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.error.Errors;
import dev.medallion.gold.GoldJob;
import dev.medallion.silver.SilverJob;
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

  private Maintenance() {}

  /** Each maintained table by SQL name, with the columns OPTIMIZE Z-orders it by (may be empty). */
  static Map<String, List<String>> zOrderColumns() {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    TableCatalog.all().forEach(table -> columns.put(table.sqlName(), table.zOrder()));
    return columns;
  }

  /** A streaming query that reads a table, and where its checkpoint is. */
  record Reader(String job, String checkpoint) {}

  /** The streaming readers of each table: silver reads bronze, gold reads silver's change feed. */
  static Map<String, List<Reader>> readers(TableLocations locations) {
    return Map.of(
        "bronze.events",
            List.of(
                new Reader(
                    SilverJob.LAYER, locations.checkpoint(SilverJob.LAYER, SilverJob.TABLE))),
        "silver.events",
            List.of(
                new Reader(
                    GoldJob.LAYER, locations.checkpoint(GoldJob.LAYER, GoldJob.CHECKPOINT))));
  }

  /**
   * Refuses, before anything changes, when a reader still has to read versions committed before the
   * retention horizon: VACUUM could delete files (or change data files) it has yet to read, and its
   * next run would fail for good. A reader that caught up needs nothing VACUUM deletes.
   */
  static void checkReaders(
      SparkSession spark,
      TableLocations locations,
      String table,
      String path,
      long latest,
      int retentionHours) {
    Instant horizon = Instant.now().minus(Duration.ofHours(retentionHours));
    for (Reader reader : readers(locations).getOrDefault(table, List.of())) {
      OptionalLong firstUnread = ReaderPosition.firstUnreadVersion(spark, reader.checkpoint());
      if (firstUnread.isEmpty() || firstUnread.getAsLong() > latest) {
        continue;
      }
      Instant committed = DeltaTables.commitTime(spark, path, firstUnread.getAsLong());
      if (committed.isBefore(horizon)) {
        throw Errors.jobFailed(
            String.format(
                "Refusing to VACUUM %s: %s has not read it since v%d (committed %s; the table is at"
                    + " v%d), which is older than the retention of %d hours, so VACUUM could delete"
                    + " files %s still needs; run bin/medallion %s first, then maintain again",
                table,
                reader.job(),
                firstUnread.getAsLong(),
                committed,
                latest,
                retentionHours,
                reader.job(),
                reader.job()),
            null);
      }
    }
  }

  /** Checks a request before Spark starts: a known table, and a safe retention unless forced. */
  static void validate(String table, int retentionHours, boolean allowUnsafeRetention) {
    if (!zOrderColumns().containsKey(table)) {
      throw Errors.usage(
          "Unknown table '"
              + table
              + "'; maintained tables: "
              + String.join(", ", zOrderColumns().keySet()));
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

  /** OPTIMIZE then VACUUM one table; call {@link #validate} first. */
  static String run(
      SparkSession spark,
      TableLocations locations,
      String table,
      int retentionHours,
      boolean allowUnsafeRetention) {
    List<String> zOrder = zOrderColumns().get(table);
    String path = SqlCatalog.tables(locations).get(table);
    long version = DeltaTables.version(spark, path);
    if (version == DeltaTables.NO_VERSION) {
      return table + ": no table at " + path + ", nothing to maintain";
    }
    checkReaders(spark, locations, table, path, version, retentionHours);
    String target = "delta.`" + path.replace("`", "``") + "`";
    spark.sql(
        "OPTIMIZE "
            + target
            + (zOrder.isEmpty() ? "" : " ZORDER BY (" + String.join(", ", zOrder) + ")"));
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
