package dev.medallion.silver;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.Phases;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.spark.Checkpoints;
import dev.medallion.common.spark.StreamingRuns;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.SilverColumns;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silver: new bronze rows parsed and validated, invalid ones kept in the quarantine with the
 * reason, valid ones deduplicated by event_id against all of silver and enriched. Reads bronze with
 * Delta's streaming source under {@code Trigger.AvailableNow}, in bounded micro-batches.
 */
public final class SilverJob {
  public static final String LAYER = CoreTables.SILVER;
  public static final String TABLE = CoreTables.SILVER_EVENTS.name();
  private static final Logger LOG = LoggerFactory.getLogger(SilverJob.class);

  /** Gold reads silver's change data feed. */
  static final Map<String, String> SILVER_PROPERTIES = Map.of("delta.enableChangeDataFeed", "true");

  /** The tables a silver run writes, and a quarantine replay too. */
  static final List<TableSpec> TABLES = CoreTables.ofLayer(LAYER);

  private SilverJob() {}

  /**
   * Runs silver once.
   *
   * @param fullRefresh rebuild silver and the quarantine from all of bronze, with a fresh
   *     checkpoint (Kafka is not read), beside the live tables, then swap them in ({@link
   *     SilverRebuild})
   */
  public static RunSummary run(SparkSession spark, MedallionConfig config, boolean fullRefresh) {
    return LayerRun.run(spark, config, job(config, fullRefresh));
  }

  /** A silver run, for {@link LayerRun} to run under silver's lock. */
  public static LayerJob<RunSummary> job(MedallionConfig config, boolean fullRefresh) {
    return LayerJob.of(
        LAYER,
        TABLES,
        fullRefresh ? "silver --full-refresh" : "silver",
        spark -> runOnce(spark, config, fullRefresh));
  }

  private static RunSummary runOnce(
      SparkSession spark, MedallionConfig config, boolean fullRefresh) {
    long started = System.currentTimeMillis();
    Phases phases = new Phases().next("prepare");
    TableLocations tables = config.tables();
    long bronzeVersion = DeltaTables.version(spark, tables.bronzeEvents());
    if (bronzeVersion == DeltaTables.NO_VERSION) {
      throw Errors.usage(
          "Cannot run silver: there is no bronze table at "
              + tables.bronzeEvents()
              + "; run bin/medallion bronze first");
    }
    if (!fullRefresh) {
      SilverRebuild.refuseIfInterrupted(spark, tables, "run silver");
      checkState(spark, tables);
    }
    OptionalLong firstUnread =
        fullRefresh
            ? OptionalLong.of(0)
            : ReaderPosition.firstUnreadVersion(
                spark, tables.checkpoint(CoreTables.SILVER_READS_BRONZE));
    ValidationRules rules = ValidationRules.from(config);
    Dataset<Row> products = ReferenceData.products(spark, config).cache();
    SilverTargets live = SilverTargets.live(tables);
    AnomalyChecks anomalies =
        fullRefresh ? AnomalyChecks.NONE : AnomalyChecks.load(spark, config, tables, LAYER);
    SilverBatchWriter writer = new SilverBatchWriter(spark, live, products, rules, anomalies);
    Dataset<Row> emptyBronze = spark.read().format("delta").load(tables.bronzeEvents()).limit(0);
    checkExpectations(rules, emptyBronze);
    createTables(spark, live, writer, emptyBronze);
    StreamingRuns.keepAllProgress(spark);
    phases.next("stream");
    StreamingRuns.Totals totals;
    if (fullRefresh) {
      SilverRebuild rebuild = SilverRebuild.begin(spark, tables);
      SilverTargets staged = rebuild.staged();
      writer = new SilverBatchWriter(spark, staged, products, rules, anomalies);
      if (rebuild.isBuilt()) {
        LOG.info("silver: finishing an interrupted full refresh (its tables are rebuilt)");
        totals = StreamingRuns.Totals.NONE;
      } else {
        LOG.info("silver: full refresh, rebuilding silver and the quarantine from bronze");
        createTables(spark, staged, writer, emptyBronze);
        totals = stream(spark, config, tables, writer, staged);
        rebuild.markBuilt();
      }
      phases.next("swap");
      rebuild.swap();
    } else {
      if (firstUnread.isPresent()) {
        checkVolume(spark, tables, anomalies, writer, firstUnread.getAsLong(), bronzeVersion);
      }
      totals = stream(spark, config, tables, writer, live);
    }
    phases.next("summarize");
    SilverCounts counts = writer.counts();
    String covered =
        String.format(
            "valid %d, duplicates dropped %d, quarantined %d; bronze up to v%d, %d micro-batches",
            counts.valid(),
            counts.duplicates(),
            counts.quarantined(),
            bronzeVersion,
            totals.batches());
    List<String> warnings = new ArrayList<>(counts.warnings());
    // Records an anomaly held back, or an expectation of the operator's sent to the quarantine,
    // are not the invalid records the ratio watches for.
    Map<String, Long> byReason = counts.quarantinedByReason();
    long heldBack = byReason.getOrDefault(AnomalyChecks.REASON, 0L);
    for (Expectation e : rules.expectations(Expectation.Action.QUARANTINE)) {
      heldBack += byReason.getOrDefault(e.name(), 0L);
    }
    QuarantineRatio.from(config)
        .check(counts.records() - heldBack, counts.quarantined() - heldBack, counts.tombstones())
        .ifPresent(warnings::add);
    Map<String, Long> broken = counts.brokenByExpectation();
    for (Expectation e : rules.expectations(Expectation.Action.WARN)) {
      long rows = broken.getOrDefault(e.qualifiedName(), 0L);
      if (rows > 0) {
        warnings.add(
            String.format(
                "%d events break the expectation %s (%s)", rows, e.qualifiedName(), e.predicate()));
      }
    }
    for (String warning : warnings) {
      LOG.warn("silver: {}", warning);
      covered += "; WARNING: " + warning;
    }
    RunFacts facts =
        new RunFacts(
            counts.quarantinedByReason(),
            counts.duplicates(),
            List.of(),
            List.of(
                new RunFacts.SourceRange(
                    CoreTables.BRONZE_EVENTS.sqlName(),
                    firstUnread.isPresent() ? firstUnread.getAsLong() : null,
                    bronzeVersion)),
            live.versions(spark),
            totals.batches(),
            phases.seconds(),
            warnings,
            broken,
            counts.nullRates());
    return new RunSummary(
        LAYER,
        counts.records(),
        counts.inserted(),
        covered,
        (System.currentTimeMillis() - started) / 1e3,
        facts);
  }

  /**
   * Judges the number of records the run is about to read (bronze's appends since the checkpoint)
   * against the trailing runs, before it reads them. A run with nothing to read is not judged:
   * {@code status}'s freshness thresholds catch a topic gone silent.
   */
  private static void checkVolume(
      SparkSession spark,
      TableLocations tables,
      AnomalyChecks anomalies,
      SilverBatchWriter writer,
      long firstUnread,
      long bronzeVersion) {
    long upcoming =
        DeltaTables.rowsAppended(spark, tables.bronzeEvents(), firstUnread, bronzeVersion);
    Optional<String> anomaly = upcoming == 0 ? Optional.empty() : anomalies.volume(upcoming);
    if (anomaly.isEmpty()) {
      return;
    }
    switch (anomalies.action()) {
      case FAIL -> throw Errors.anomalyFound(LAYER, "the run", anomaly.get());
      case QUARANTINE -> {
        writer.holdAll("volume");
        writer.counts().warn("anomaly, the run's records held in the quarantine: " + anomaly.get());
      }
      case WARN -> writer.counts().warn("anomaly: " + anomaly.get());
    }
  }

  /**
   * Refuses, before anything is read, an expectation on silver.events that does not parse or names
   * a column silver's events do not have (reference data is joined after they are judged).
   */
  private static void checkExpectations(ValidationRules rules, Dataset<Row> emptyBronze) {
    if (rules.expectations().isEmpty()) {
      return;
    }
    ValidationRules builtIn = new ValidationRules(rules.futureToleranceHours(), rules.fxRate());
    Dataset<Row> events =
        SilverTransforms.validEvents(
            SilverTransforms.classify(emptyBronze, builtIn), builtIn.fxRate());
    rules.expectations().forEach(e -> e.checkAgainst(events));
  }

  private static void createTables(
      SparkSession spark, SilverTargets targets, SilverBatchWriter writer, Dataset<Row> bronze) {
    DeltaTables.createIfAbsent(
        spark,
        targets.events(),
        writer.emptySilver(bronze).schema(),
        new String[] {SilverColumns.EVENT_DATE},
        SILVER_PROPERTIES);
    DeltaTables.createIfAbsent(
        spark,
        targets.quarantine(),
        writer.emptyQuarantine(bronze).schema(),
        new String[0],
        Map.of());
  }

  /** New bronze rows into {@code targets}, in bounded micro-batches, under AvailableNow. */
  private static StreamingRuns.Totals stream(
      SparkSession spark,
      MedallionConfig config,
      TableLocations tables,
      SilverBatchWriter writer,
      SilverTargets targets) {
    try {
      return StreamingRuns.runAvailableNow(
          spark
              .readStream()
              .format("delta")
              .options(DeltaTables.readFromFirstCommit(spark, tables.bronzeEvents()))
              .option("maxFilesPerTrigger", config.get(Settings.SILVER_MAX_FILES_PER_TRIGGER))
              .option("maxBytesPerTrigger", config.get(Settings.SILVER_MAX_BYTES_PER_TRIGGER))
              .load(tables.bronzeEvents())
              .writeStream()
              .queryName("medallion-silver")
              .option("checkpointLocation", targets.checkpoint())
              .foreachBatch((VoidFunction2<Dataset<Row>, Long>) writer::write));
    } catch (StreamingQueryException e) {
      throw translate(e);
    }
  }

  /**
   * Refuses lost state instead of guessing: a checkpoint without silver (the events before it would
   * be missing) or silver without its checkpoint (all of bronze would be read again and the
   * quarantine would hold its records twice). A full refresh rebuilds both from bronze.
   */
  private static void checkState(SparkSession spark, TableLocations tables) {
    String checkpoint = tables.checkpoint(CoreTables.SILVER_READS_BRONZE);
    boolean checkpointed = Checkpoints.holdsBatches(spark, checkpoint);
    long silverVersion = DeltaTables.version(spark, tables.silverEvents());
    if (checkpointed && silverVersion == DeltaTables.NO_VERSION) {
      throw Errors.jobFailed(
          "Cannot run silver: its checkpoint "
              + checkpoint
              + " is there but the table "
              + tables.silverEvents()
              + " is not; run bin/medallion silver --full-refresh to rebuild silver and the"
              + " quarantine from bronze",
          null);
    }
    boolean silverWritten =
        silverVersion > 0 || DeltaTables.version(spark, tables.silverQuarantine()) > 0;
    if (!checkpointed && silverWritten) {
      throw Errors.jobFailed(
          "Cannot run silver: "
              + tables.silverEvents()
              + " holds events but its checkpoint "
              + checkpoint
              + " is missing, so silver would read all of bronze again and quarantine its invalid"
              + " records twice; run bin/medallion silver --full-refresh to rebuild silver and the"
              + " quarantine from bronze",
          null);
    }
  }

  /** A bronze rebuilt or cleaned up under silver's feet: failures operators must understand. */
  static RuntimeException translate(StreamingQueryException e) {
    Optional<MedallionException> ours = Errors.raisedWithin(e);
    if (ours.isPresent()) {
      return ours.get();
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE")
        || message.toLowerCase(java.util.Locale.ROOT).contains("table id")) {
      return Errors.jobFailed(
          "bronze/events is not the table silver's checkpoint read (it was deleted and created"
              + " again), so silver cannot go on from its checkpoint; run bin/medallion silver"
              + " --full-refresh to rebuild silver from the bronze there is now",
          e);
    }
    return Errors.sourceLogCleanedUp(message, LAYER, "bronze/events", e)
        .orElseGet(() -> Errors.jobFailed("silver failed: " + Errors.firstLine(message), e));
  }
}
