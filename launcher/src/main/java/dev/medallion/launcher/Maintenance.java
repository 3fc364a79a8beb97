package dev.medallion.launcher;

import dev.medallion.common.TableLocations;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.gold.GoldTable;
import dev.medallion.gold.GoldTables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Table maintenance: OPTIMIZE (compacting small files, Z-ordered by the columns each table
 * declares) and VACUUM (deleting files no version within the retention needs). VACUUM never goes
 * below Delta's safe default of 168 hours unless the operator says so explicitly.
 */
final class Maintenance {
  static final int SAFE_RETENTION_HOURS = 168;

  private Maintenance() {}

  /** Each maintained table by SQL name, with the columns OPTIMIZE Z-orders it by (may be empty). */
  static Map<String, List<String>> zOrderColumns() {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    columns.put("bronze.events", List.of());
    // The MERGE that deduplicates silver joins on event_id within a day: Z-ordering by it lets
    // Delta skip files whose event_id range cannot match.
    columns.put("silver.events", List.of("event_id"));
    columns.put("silver.quarantine", List.of());
    for (GoldTable table : GoldTables.ALL) {
      columns.put("gold." + table.name(), table.clusterBy());
    }
    return columns;
  }

  /** Checks a request before Spark starts: a known table, and a safe retention unless forced. */
  static void validate(String table, int retentionHours, boolean allowUnsafeRetention) {
    if (!zOrderColumns().containsKey(table)) {
      throw Errors.usage("Unknown table '" + table + "'; maintained tables: " + String.join(", ", zOrderColumns().keySet()));
    }
    if (retentionHours < SAFE_RETENTION_HOURS && !allowUnsafeRetention) {
      throw Errors.usage(
          "Refusing to VACUUM with a retention of " + retentionHours + " hours: below the safe " + SAFE_RETENTION_HOURS
              + " hours a running reader or a streaming job's checkpoint may lose files; add --allow-unsafe-retention if you are sure");
    }
  }

  /** OPTIMIZE then VACUUM one table; call {@link #validate} first. */
  static String run(SparkSession spark, TableLocations locations, String table, int retentionHours, boolean allowUnsafeRetention) {
    List<String> zOrder = zOrderColumns().get(table);
    String path = SqlCatalog.tables(locations).get(table);
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      return table + ": no table at " + path + ", nothing to maintain";
    }
    String target = "delta.`" + path.replace("`", "``") + "`";
    spark.sql("OPTIMIZE " + target + (zOrder.isEmpty() ? "" : " ZORDER BY (" + String.join(", ", zOrder) + ")"));
    if (allowUnsafeRetention) {
      spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    }
    spark.sql("VACUUM " + target + " RETAIN " + retentionHours + " HOURS");
    return table + ": optimized" + (zOrder.isEmpty() ? "" : " (Z-order " + String.join(", ", zOrder) + ")") + ", vacuumed files older than " + retentionHours + " hours";
  }
}
