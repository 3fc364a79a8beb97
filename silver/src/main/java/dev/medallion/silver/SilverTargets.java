package dev.medallion.silver;

import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableLocations;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where a silver run writes: the live tables and checkpoint, or their copies under {@code
 * _staging/silver} while a full refresh rebuilds them.
 */
record SilverTargets(String events, String quarantine, String checkpoint) {
  static SilverTargets live(TableLocations tables) {
    return new SilverTargets(
        tables.silverEvents(),
        tables.silverQuarantine(),
        tables.checkpoint(CoreTables.SILVER_READS_BRONZE));
  }

  static SilverTargets staged(TableLocations tables) {
    String staging = tables.staging(SilverJob.LAYER);
    return new SilverTargets(
        staging + "/events", staging + "/quarantine", staging + "/_checkpoint");
  }

  /** Each table's SQL name with its current version, for the run ledger. */
  Map<String, Long> versions(SparkSession spark) {
    Map<String, Long> versions = new LinkedHashMap<>();
    versions.put(CoreTables.SILVER_EVENTS.sqlName(), DeltaTables.version(spark, events));
    versions.put(CoreTables.SILVER_QUARANTINE.sqlName(), DeltaTables.version(spark, quarantine));
    return versions;
  }
}
