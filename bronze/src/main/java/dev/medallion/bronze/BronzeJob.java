package dev.medallion.bronze;

import dev.medallion.common.RunSummary;
import dev.medallion.common.TableLocations;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.spark.StreamingRuns;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bronze: every Kafka record of the configured topics, once, in the append-only Delta table
 * {@code <root>/bronze/events}. Exactly-once comes from the streaming checkpoint (offsets are
 * logged before a micro-batch) and Delta's sink, which commits each batch id once.
 */
public final class BronzeJob {
  public static final String LAYER = "bronze";
  public static final String TABLE = "events";
  private static final Logger LOG = LoggerFactory.getLogger(BronzeJob.class);

  /** Bronze is a log: Delta itself refuses updates and deletes. */
  static final Map<String, String> TABLE_PROPERTIES = Map.of("delta.appendOnly", "true");

  private BronzeJob() {}

  /** Checks what bronze needs from the config; call before starting Spark. */
  public static void validate(MedallionConfig config) {
    KafkaSourceOptions.from(config);
  }

  public static RunSummary run(SparkSession spark, MedallionConfig config) {
    long started = System.nanoTime();
    TableLocations tables = new TableLocations(config.lakehouseRoot());
    String table = tables.bronzeEvents();
    Dataset<Row> bronze =
        BronzeTransforms.toBronze(spark.readStream().format("kafka").options(KafkaSourceOptions.from(config)).load());
    DeltaTables.createIfAbsent(spark, table, bronze.schema(), new String[] {"ingest_date"}, TABLE_PROPERTIES);
    long versionBefore = DeltaTables.version(spark, table);
    StreamingRuns.keepAllProgress(spark);
    LOG.info("bronze: reading Kafka into {}", table);
    StreamingRuns.Totals totals;
    try {
      totals =
          StreamingRuns.runAvailableNow(
              bronze.writeStream()
                  .format("delta")
                  .outputMode("append")
                  .queryName("medallion-bronze")
                  .option("checkpointLocation", tables.checkpoint(LAYER, TABLE))
                  .option("path", table));
    } catch (StreamingQueryException e) {
      throw translate(e);
    }
    long versionAfter = DeltaTables.version(spark, table);
    long written = versionAfter == versionBefore ? 0 : DeltaTables.rowsWrittenSince(spark, table, versionBefore);
    String covered =
        String.format(
            "offsets %s -> %s, %s v%d..v%d, %d micro-batches",
            totals.startOffset(), totals.endOffset(), table, versionBefore, versionAfter, totals.batches());
    return new RunSummary(LAYER, totals.inputRows(), written, covered, (System.nanoTime() - started) / 1e9);
  }

  /** Kafka's retention deleting unread records is the failure operators must understand. */
  static RuntimeException translate(StreamingQueryException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("KAFKA_DATA_LOSS") || message.contains("data may have been lost")) {
      return Errors.jobFailed(
          "Kafka records were lost before bronze read them (deleted by the topic's retention or"
              + " by deleteRecords); bronze stopped and wrote nothing for the gap. To accept the loss"
              + " and continue from the earliest offset still in Kafka, rerun with --set "
              + Settings.KAFKA_FAIL_ON_DATA_LOSS.key()
              + "=false. Spark said: "
              + Errors.firstLine(message),
          e);
    }
    return Errors.jobFailed("bronze failed: " + Errors.firstLine(message), e);
  }
}
