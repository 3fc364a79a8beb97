package dev.medallion.silver;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.SilverColumns;
import dev.medallion.common.table.TableLocations;
import java.util.Locale;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Accounts for every bronze record silver has processed: it is in silver, or it is a valid
 * duplicate of an event silver holds, or it is in the quarantine; exactly one of these. Checked by
 * bronze coordinates (topic, partition, offset), independently of the run counters.
 */
public final class Reconciliation {
  private Reconciliation() {}

  /** The outcome; {@link #balanced()} when every record is accounted for exactly once. */
  public record Result(
      long bronzeVersion,
      long bronze,
      long inSilver,
      long duplicates,
      long quarantined,
      long unaccounted,
      long inBoth,
      long repeatedEventIds) {

    public boolean balanced() {
      return unaccounted == 0
          && inBoth == 0
          && repeatedEventIds == 0
          && bronze == inSilver + duplicates + quarantined;
    }

    public String line() {
      return String.format(
          Locale.ROOT,
          "reconcile: bronze v%d holds %d records = %d in silver + %d duplicates dropped + %d in"
              + " quarantine%s",
          bronzeVersion,
          bronze,
          inSilver,
          duplicates,
          quarantined,
          balanced()
              ? ": balanced"
              : String.format(
                  Locale.ROOT,
                  ": NOT balanced (%d unaccounted, %d both in silver and quarantine, %d event ids"
                      + " more than once in silver)",
                  unaccounted,
                  inBoth,
                  repeatedEventIds));
    }
  }

  /** Reconciles bronze up to the version the last silver run covered. */
  public static Result run(SparkSession spark, MedallionConfig config) {
    TableLocations tables = config.tables();
    OptionalLong lastRead =
        RunLedger.lastVersionRead(
            spark, tables, SilverJob.LAYER, CoreTables.BRONZE_EVENTS.sqlName());
    if (lastRead.isEmpty()) {
      throw Errors.usage(
          "Cannot reconcile: no silver run has succeeded yet (none in "
              + tables.ops(RunLedger.NAME)
              + "); run bin/medallion silver first");
    }
    long covered = lastRead.getAsLong();
    // The same rows at the newest version that only rearranged files since (OPTIMIZE, VACUUM):
    // the covered version's own files may be vacuumed by now.
    OptionalLong nextChange =
        DeltaTables.firstDataChange(spark, tables.bronzeEvents(), covered + 1);
    long version =
        nextChange.isPresent()
            ? nextChange.getAsLong() - 1
            : DeltaTables.version(spark, tables.bronzeEvents());
    Dataset<Row> bronze =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", version)
            .load(tables.bronzeEvents())
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> silver = spark.read().format("delta").load(tables.silverEvents());
      Dataset<Row> silverCoordinates =
          silver.selectExpr(
              SilverColumns.SOURCE_TOPIC + " AS topic",
              SilverColumns.SOURCE_PARTITION + " AS partition",
              SilverColumns.SOURCE_OFFSET + " AS offset");
      Dataset<Row> quarantineCoordinates =
          spark
              .read()
              .format("delta")
              .load(tables.silverQuarantine())
              .select("topic", "partition", "offset");
      String[] on = {"topic", "partition", "offset"};
      Dataset<Row> inSilver = bronze.join(silverCoordinates, on, "left_semi");
      Dataset<Row> inQuarantine = bronze.join(quarantineCoordinates, on, "left_semi");
      Dataset<Row> rest =
          bronze
              .join(silverCoordinates, on, "left_anti")
              .join(quarantineCoordinates, on, "left_anti");
      // What is neither in silver nor in the quarantine must be a valid duplicate of a silver
      // event.
      ValidationRules rules = ValidationRules.from(config);
      Dataset<Row> restValid =
          SilverTransforms.validEvents(SilverTransforms.classify(rest, rules), rules.fxRate())
              .select(SilverColumns.EVENT_ID);
      long restCount = rest.count();
      long duplicates =
          restValid.join(silver.select(SilverColumns.EVENT_ID), SilverColumns.EVENT_ID).count();
      long inBoth = inSilver.join(quarantineCoordinates, on, "left_semi").count();
      Row ids = silver.selectExpr("count(*)", "count(DISTINCT event_id)").head();
      return new Result(
          version,
          bronze.count(),
          inSilver.count(),
          duplicates,
          inQuarantine.count(),
          restCount - duplicates,
          inBoth,
          ids.getLong(0) - ids.getLong(1));
    } finally {
      bronze.unpersist();
    }
  }
}
