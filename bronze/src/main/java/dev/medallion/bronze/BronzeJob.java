package dev.medallion.bronze;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.Phases;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.spark.Checkpoints;
import dev.medallion.common.spark.StreamingRuns;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableLocations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bronze: every Kafka record of the configured topics, once, in the append-only Delta table {@code
 * <root>/bronze/events}. Exactly-once comes from the streaming checkpoint (offsets are logged
 * before a micro-batch) and Delta's sink, which commits each batch id once.
 */
public final class BronzeJob {
  public static final String LAYER = CoreTables.BRONZE;
  public static final String TABLE = CoreTables.BRONZE_EVENTS.name();
  private static final Logger LOG = LoggerFactory.getLogger(BronzeJob.class);

  /** Bronze is a log: Delta itself refuses updates and deletes. */
  static final Map<String, String> TABLE_PROPERTIES = Map.of("delta.appendOnly", "true");

  private BronzeJob() {}

  /** Checks what bronze needs from the config; call before starting Spark. */
  public static void validate(MedallionConfig config) {
    KafkaSourceOptions.from(config);
  }

  public static RunSummary run(SparkSession spark, MedallionConfig config) {
    return run(spark, config, false);
  }

  /**
   * Runs bronze once.
   *
   * @param recoverCheckpoint start a lost checkpoint again from the Kafka offsets the table holds
   */
  public static RunSummary run(
      SparkSession spark, MedallionConfig config, boolean recoverCheckpoint) {
    return LayerRun.run(spark, config, job(config, recoverCheckpoint));
  }

  /** A bronze run, for {@link LayerRun} to run under bronze's lock. */
  public static LayerJob<RunSummary> job(MedallionConfig config, boolean recoverCheckpoint) {
    return LayerJob.of(
        LAYER,
        CoreTables.ofLayer(LAYER),
        recoverCheckpoint ? "bronze --recover-checkpoint" : "bronze",
        spark -> runOnce(spark, config, recoverCheckpoint));
  }

  private static RunSummary runOnce(
      SparkSession spark, MedallionConfig config, boolean recoverCheckpoint) {
    long started = System.nanoTime();
    Phases phases = new Phases().next("prepare");
    TableLocations tables = config.tables();
    String table = tables.bronzeEvents();
    String checkpoint = tables.checkpoint(LAYER, TABLE);
    Map<String, String> options = new LinkedHashMap<>(KafkaSourceOptions.from(config));
    if (checkState(spark, table, checkpoint, recoverCheckpoint)) {
      options.put("startingOffsets", CheckpointRecovery.startingOffsets(spark, table, options));
      LOG.warn(
          "bronze: recovering the lost checkpoint {}: starting at {}",
          checkpoint,
          options.get("startingOffsets"));
    }
    Dataset<Row> bronze =
        BronzeTransforms.toBronze(spark.readStream().format("kafka").options(options).load());
    DeltaTables.createIfAbsent(
        spark, table, bronze.schema(), new String[] {"ingest_date"}, TABLE_PROPERTIES);
    long versionBefore = DeltaTables.version(spark, table);
    StreamingRuns.keepAllProgress(spark);
    LOG.info("bronze: reading Kafka into {}", table);
    phases.next("stream");
    StreamingRuns.Totals totals;
    try {
      totals =
          StreamingRuns.runAvailableNow(
              bronze
                  .writeStream()
                  .format("delta")
                  .outputMode("append")
                  .queryName("medallion-bronze")
                  .option("checkpointLocation", checkpoint)
                  .option("path", table));
    } catch (StreamingQueryException e) {
      throw translate(e);
    }
    phases.next("summarize");
    long versionAfter = DeltaTables.version(spark, table);
    long written =
        versionAfter == versionBefore
            ? 0
            : DeltaTables.rowsWrittenSince(spark, table, versionBefore);
    String covered =
        String.format(
            "offsets %s -> %s, %s v%d..v%d, %d micro-batches",
            totals.startOffset(),
            totals.endOffset(),
            table,
            versionBefore,
            versionAfter,
            totals.batches());
    RunFacts facts =
        new RunFacts(
            Map.of(),
            0,
            RunFacts.KafkaRange.between(totals.startOffset(), totals.endOffset()),
            List.of(),
            Map.of(CoreTables.BRONZE_EVENTS.sqlName(), versionAfter),
            totals.batches(),
            phases.seconds());
    return new RunSummary(
        LAYER, totals.inputRows(), written, covered, (System.nanoTime() - started) / 1e9, facts);
  }

  /**
   * Refuses lost state instead of guessing: a checkpoint whose table is gone (bronze would go on
   * from the checkpoint and the history before it would be missing), or a table with records whose
   * checkpoint is gone (bronze would ingest every retained offset a second time).
   *
   * @return whether the checkpoint is to be recovered from the table
   */
  private static boolean checkState(
      SparkSession spark, String table, String checkpoint, boolean recoverCheckpoint) {
    long version = DeltaTables.version(spark, table);
    boolean checkpointed = Checkpoints.holdsBatches(spark, checkpoint);
    if (checkpointed && version == DeltaTables.NO_VERSION) {
      throw Errors.jobFailed(
          "Cannot run bronze: its checkpoint "
              + checkpoint
              + " is there but the table "
              + table
              + " is not, so the records before the checkpoint would be missing; restore the table,"
              + " or, to start bronze over from what Kafka still holds, delete the checkpoint too"
              + " (README: Recovering from failures)",
          null);
    }
    boolean lostCheckpoint = !checkpointed && version > 0;
    if (lostCheckpoint && !recoverCheckpoint) {
      throw Errors.jobFailed(
          "Cannot run bronze: "
              + table
              + " holds records but its checkpoint "
              + checkpoint
              + " is missing, so bronze would ingest every offset Kafka still holds a second time;"
              + " run bin/medallion bronze --recover-checkpoint to go on from the offsets the table"
              + " holds (README: Recovering from failures)",
          null);
    }
    if (recoverCheckpoint && !lostCheckpoint) {
      throw Errors.usage(
          "Cannot recover bronze's checkpoint: "
              + (checkpointed ? checkpoint + " is there" : table + " holds no records")
              + "; run bronze without --recover-checkpoint");
    }
    return lostCheckpoint;
  }

  /** Kafka's retention deleting unread records is the failure operators must understand. */
  static RuntimeException translate(StreamingQueryException e) {
    String message = String.valueOf(e.getMessage());
    // Kafka's data-loss errors say why on a line of their own.
    String reason =
        message
            .lines()
            .filter(line -> line.startsWith("Reason: "))
            .findFirst()
            .map(line -> line.substring("Reason: ".length()))
            .orElse("");
    String said = reason.isEmpty() ? Errors.firstLine(message) : reason;
    if (reason.contains("offset was changed from")
        || reason.contains("have been deleted")
        || message.contains("START_OFFSET_GREATER_THAN_END_OFFSET")) {
      return Errors.jobFailed(
          "A Kafka topic bronze reads was deleted or recreated (its offsets went back or its"
              + " partitions vanished): bronze stopped and wrote nothing. The old topic's records"
              + " are in bronze; to read the new topic from its start, move bronze's checkpoint"
              + " <root>/_checkpoints/bronze/events aside and run bin/medallion bronze"
              + " --recover-checkpoint (README: Recovering from failures). Spark said: "
              + said,
          e);
    }
    if (message.contains("KAFKA_DATA_LOSS") || message.contains("data may have been lost")) {
      return Errors.jobFailed(
          "Kafka records were lost before bronze read them (deleted by the topic's retention or by"
              + " deleteRecords); bronze stopped and wrote nothing for the gap. To accept the loss"
              + " and continue from the earliest offset still in Kafka, rerun with --set "
              + Settings.KAFKA_FAIL_ON_DATA_LOSS.key()
              + "=false. Spark said: "
              + said,
          e);
    }
    return Errors.jobFailed("bronze failed: " + Errors.firstLine(message), e);
  }
}
