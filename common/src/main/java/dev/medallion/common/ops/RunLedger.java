package dev.medallion.common.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;

import dev.medallion.common.RunSummary;
import dev.medallion.common.TableLocations;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.error.StorageFailures;
import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The run ledger, {@code <root>/_ops/runs}: one row per run of every layer and command that writes,
 * so that "did the last runs succeed, what did they read and write" is a query, not a log search. A
 * run's row is written when it starts ({@code RUNNING}) and completed when it ends ({@code
 * SUCCEEDED} or {@code FAILED} with the error line); a run killed before its end leaves {@code
 * RUNNING}, which the next run of its layer (holding the layer's lock, so the killed run is surely
 * gone) turns into {@code KILLED}. Rows are keyed by run id and written by MERGE, so a repeated
 * write changes nothing; the table is partitioned by layer, so layers running at once never
 * conflict on it.
 */
public final class RunLedger {
  /** The ledger's name under {@code <root>/_ops}. */
  public static final String NAME = "runs";

  /** A run's status. */
  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED,
    KILLED
  }

  static final String LAYER = "layer";
  static final String RUN_ID = "run_id";
  static final String STATUS = "status";
  static final int WRITE_ATTEMPTS = 5;
  static final String AUTO_COMPACT = "delta.autoOptimize.autoCompact";
  private static final Logger LOG = LoggerFactory.getLogger(RunLedger.class);

  public static final StructType SCHEMA =
      new StructType()
          .add(RUN_ID, DataTypes.StringType, false)
          .add(LAYER, DataTypes.StringType, false)
          .add("command", DataTypes.StringType)
          .add("started_at", DataTypes.TimestampType)
          .add("finished_at", DataTypes.TimestampType)
          .add(STATUS, DataTypes.StringType)
          .add("error", DataTypes.StringType)
          .add("rows_in", DataTypes.LongType)
          .add("rows_out", DataTypes.LongType)
          .add("quarantined", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add("duplicates", DataTypes.LongType)
          .add(
              "kafka_offsets",
              DataTypes.createArrayType(
                  new StructType()
                      .add("topic", DataTypes.StringType)
                      .add("partition", DataTypes.IntegerType)
                      .add("start_offset", DataTypes.LongType)
                      .add("end_offset", DataTypes.LongType)))
          .add(
              "source_versions",
              DataTypes.createArrayType(
                  new StructType()
                      .add("table", DataTypes.StringType)
                      .add("from_version", DataTypes.LongType)
                      .add("to_version", DataTypes.LongType)))
          .add(
              "versions_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
          .add("batches", DataTypes.IntegerType)
          .add(
              "phase_seconds", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));

  private RunLedger() {}

  /**
   * Runs {@code run} with its ledger row: {@code RUNNING} before, {@code SUCCEEDED} with its facts
   * or {@code FAILED} with its error line after. Call under the layer's lock.
   *
   * @param command what was run, as an operator would type it ({@code silver --full-refresh})
   */
  public static RunSummary record(
      SparkSession spark,
      MedallionConfig config,
      String layer,
      String command,
      Supplier<RunSummary> run) {
    return record(spark, config, layer, command, run, summary -> summary);
  }

  /**
   * {@link #record(SparkSession, MedallionConfig, String, String, Supplier)} for a command whose
   * result is not a layer's summary: {@code asSummary} says what the ledger keeps of it.
   */
  public static <T> T record(
      SparkSession spark,
      MedallionConfig config,
      String layer,
      String command,
      Supplier<T> run,
      Function<T, RunSummary> asSummary) {
    String path = new TableLocations(config.lakehouseRoot()).ops(NAME);
    String runId = UUID.randomUUID().toString();
    Timestamp started = Timestamp.from(Instant.now());
    begin(spark, path, layer, runId, command, started);
    T result;
    try {
      result = run.get();
    } catch (RuntimeException e) {
      try {
        String error = config.maskSecrets(errorLine(e));
        write(spark, path, layer, row(runId, layer, command, started, Status.FAILED, error, null));
      } catch (RuntimeException ledger) {
        e.addSuppressed(ledger);
      }
      throw e;
    }
    RunSummary summary = asSummary.apply(result);
    write(spark, path, layer, row(runId, layer, command, started, Status.SUCCEEDED, null, summary));
    return result;
  }

  /**
   * The version of {@code sourceTable} the last successful run of {@code layer} read up to, or
   * empty when no such run is recorded.
   */
  public static OptionalLong lastVersionRead(
      SparkSession spark, TableLocations tables, String layer, String sourceTable) {
    String path = tables.ops(NAME);
    if (DeltaTables.version(spark, path) == DeltaTables.NO_VERSION) {
      return OptionalLong.empty();
    }
    List<Row> last =
        spark
            .read()
            .format("delta")
            .load(path)
            .where(col(LAYER).equalTo(layer).and(col(STATUS).equalTo(Status.SUCCEEDED.name())))
            .select(col("finished_at"), explode(col("source_versions")).as("source"))
            .where(col("source.table").equalTo(sourceTable))
            .orderBy(col("finished_at").desc())
            .select("source.to_version")
            .limit(1)
            .collectAsList();
    return last.isEmpty() ? OptionalLong.empty() : OptionalLong.of(last.get(0).getLong(0));
  }

  /** Creates the ledger if needed, marks the layer's orphaned runs, then records this one. */
  private static void begin(
      SparkSession spark,
      String path,
      String layer,
      String runId,
      String command,
      Timestamp started) {
    createIfAbsent(spark, path);
    retrying(
        () ->
            DeltaTable.forPath(spark, path)
                .update(
                    col(LAYER).equalTo(layer).and(col(STATUS).equalTo(Status.RUNNING.name())),
                    Map.<String, Column>of(
                        STATUS,
                        lit(Status.KILLED.name()),
                        "error",
                        lit(
                            "ended without recording its end (killed, or its driver was lost);"
                                + " noticed by run "
                                + runId))));
    write(spark, path, layer, row(runId, layer, command, started, Status.RUNNING, null, null));
  }

  private static void createIfAbsent(SparkSession spark, String path) {
    try {
      // One small file per run: Delta compacts them as they pile up.
      DeltaTables.createIfAbsent(
          spark, path, SCHEMA, new String[] {LAYER}, Map.of(AUTO_COMPACT, "true"));
    } catch (RuntimeException e) {
      // Another layer created it at the same moment.
      if (!DeltaTable.isDeltaTable(spark, path)) {
        throw e;
      }
    }
  }

  /** Inserts the row, or replaces the row of the same run: writing it twice changes nothing. */
  private static void write(SparkSession spark, String path, String layer, Row row) {
    retrying(
        () ->
            DeltaTable.forPath(spark, path)
                .as("t")
                .merge(
                    spark.createDataFrame(List.of(row), SCHEMA).as("s"),
                    col("t." + LAYER)
                        .equalTo(lit(layer))
                        .and(col("t." + RUN_ID).equalTo(col("s." + RUN_ID))))
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute());
  }

  /**
   * Layers write their own partition, so they conflict only when Delta cannot tell (a ledger
   * created by two layers at once, a checkpoint of its log); a bounded retry settles that.
   */
  private static void retrying(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (DeltaConcurrentModificationException e) {
        if (attempt == WRITE_ATTEMPTS) {
          throw e;
        }
        LOG.info("run ledger: concurrent write, retrying ({})", e.getClass().getSimpleName());
      }
    }
  }

  private static Row row(
      String runId,
      String layer,
      String command,
      Timestamp started,
      Status status,
      String error,
      RunSummary summary) {
    RunFacts facts = summary == null ? RunFacts.NONE : summary.facts();
    return RowFactory.create(
        runId,
        layer,
        command,
        started,
        status == Status.RUNNING ? null : Timestamp.from(Instant.now()),
        status.name(),
        error,
        summary == null ? null : summary.recordsIn(),
        summary == null ? null : summary.recordsOut(),
        CollectionConverters.asScala(facts.quarantined()),
        facts.duplicates(),
        CollectionConverters.asScala(
                facts.kafkaOffsets().stream()
                    .map(
                        range ->
                            RowFactory.create(
                                range.topic(),
                                range.partition(),
                                range.startOffset(),
                                range.endOffset()))
                    .toList())
            .toSeq(),
        CollectionConverters.asScala(
                facts.sourceVersions().stream()
                    .map(
                        range ->
                            RowFactory.create(
                                range.table(), range.fromVersion(), range.toVersion()))
                    .toList())
            .toSeq(),
        CollectionConverters.asScala(facts.versionsWritten()),
        facts.batches(),
        CollectionConverters.asScala(facts.phaseSeconds()));
  }

  /**
   * The one line an operator needs: ours as it is, Spark's and the store's reduced to the cause.
   */
  private static String errorLine(RuntimeException e) {
    if (e instanceof MedallionException) {
      return Errors.firstLine(e.getMessage());
    }
    return StorageFailures.explain(e).orElseGet(() -> Errors.firstLine(e.toString()));
  }
}
