package dev.medallion.silver;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.table.TableLocations;
import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The operator's view of {@code silver/quarantine}: counts by reason, and replay of quarantined
 * records through the current validation rules and reference data. A replayed record that is now
 * valid moves to silver (inserted unless its event_id is already there) and leaves the quarantine;
 * one that is still invalid stays. Safe to repeat after a crash: the silver MERGE inserts an event
 * id once, and the removal from the quarantine is keyed by bronze coordinates.
 */
public final class Quarantine {
  private Quarantine() {}

  /** Quarantined records by reason code, most frequent first: rows of (reason, records). */
  public static List<Row> countsByReason(SparkSession spark, TableLocations tables) {
    requireQuarantine(spark, tables);
    return spark
        .read()
        .format("delta")
        .load(tables.silverQuarantine())
        .groupBy("reason")
        .count()
        .orderBy(org.apache.spark.sql.functions.col("count").desc(), col("reason"))
        .collectAsList();
  }

  /** What a replay did. */
  public record ReplayResult(long replayed, long movedToSilver, long inserted, long stillInvalid) {
    public String line() {
      return String.format(
          "quarantine replay: %d records replayed, %d now valid (%d inserted into silver, %d"
              + " duplicates of silver events), %d still invalid",
          replayed, movedToSilver, inserted, movedToSilver - inserted, stillInvalid);
    }
  }

  /** Replays every quarantined record, or only those whose reason is {@code reason}. */
  public static ReplayResult replay(
      SparkSession spark, MedallionConfig config, Optional<String> reason) {
    return LayerRun.run(spark, config, replayJob(config, reason));
  }

  /** A replay, for {@link LayerRun} to run under silver's lock: it writes silver's tables. */
  public static LayerJob<ReplayResult> replayJob(MedallionConfig config, Optional<String> reason) {
    TableLocations tables = config.tables();
    return new LayerJob<>(
        SilverJob.LAYER,
        SilverJob.TABLES,
        "quarantine --replay" + reason.map(code -> " --reason " + code).orElse(""),
        spark -> replayOnce(spark, config, tables, reason),
        (spark, result, seconds) ->
            new RunSummary(
                SilverJob.LAYER,
                result.replayed(),
                result.inserted(),
                result.line(),
                seconds,
                new RunFacts(
                    Map.of(),
                    result.movedToSilver() - result.inserted(),
                    List.of(),
                    List.of(),
                    SilverTargets.live(tables).versions(spark),
                    0,
                    Map.of())));
  }

  private static ReplayResult replayOnce(
      SparkSession spark, MedallionConfig config, TableLocations tables, Optional<String> reason) {
    requireQuarantine(spark, tables);
    SilverRebuild.refuseIfInterrupted(spark, tables, "replay the quarantine");
    ValidationRules rules = ValidationRules.from(config);
    Dataset<Row> quarantined = spark.read().format("delta").load(tables.silverQuarantine());
    if (reason.isPresent()) {
      quarantined = quarantined.where(col("reason").equalTo(reason.get()));
    }
    Dataset<Row> asBronze =
        quarantined.select(
            "value", "topic", "partition", "offset", "kafka_timestamp", "ingested_at");
    Dataset<Row> classified =
        SilverTransforms.classify(asBronze, rules).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row sizes = classified.selectExpr("count(*)", "count_if(size(reasons) = 0)").head();
      long replayed = sizes.getLong(0);
      long valid = sizes.getLong(1);
      for (Expectation e : rules.expectations(Expectation.Action.FAIL)) {
        long broken =
            classified.where(array_contains(col(SilverTransforms.BROKEN), e.name())).count();
        if (broken > 0) {
          throw e.failed(broken, "the replay");
        }
      }
      long inserted = 0;
      if (valid > 0) {
        SilverBatchWriter writer =
            new SilverBatchWriter(
                spark,
                SilverTargets.live(tables),
                ReferenceData.products(spark, config),
                rules,
                AnomalyChecks.NONE);
        inserted = writer.merge(SilverTransforms.validEvents(classified, rules.fxRate()), valid);
        Dataset<Row> nowValid =
            classified.where("size(reasons) = 0").select("topic", "partition", "offset");
        DeltaTable.forPath(spark, tables.silverQuarantine())
            .as("q")
            .merge(
                nowValid.as("v"),
                "q.topic = v.topic AND q.partition = v.partition AND q.offset = v.offset")
            .whenMatched()
            .delete()
            .execute();
      }
      return new ReplayResult(replayed, valid, inserted, replayed - valid);
    } finally {
      classified.unpersist();
    }
  }

  private static void requireQuarantine(SparkSession spark, TableLocations tables) {
    if (DeltaTables.version(spark, tables.silverQuarantine()) == DeltaTables.NO_VERSION) {
      throw Errors.usage(
          "Cannot read the quarantine: there is no table at "
              + tables.silverQuarantine()
              + "; run bin/medallion silver first");
    }
  }
}
