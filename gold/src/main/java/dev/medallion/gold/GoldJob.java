package dev.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_micros;

import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.spark.Checkpoints;
import dev.medallion.common.spark.StreamingRuns;
import dev.medallion.common.spark.TableWrites;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableLocations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gold: aggregates that stay exact when late or duplicate events arrive. Each run reads only
 * silver's changes since the last run (its change data feed, under {@code Trigger.AvailableNow}),
 * finds the hours and days they touch, recomputes exactly those from silver and replaces them in
 * each gold table. No watermark: a late event updates its hour.
 */
public final class GoldJob {
  public static final String LAYER = CoreTables.GOLD;
  private static final Logger LOG = LoggerFactory.getLogger(GoldJob.class);

  /** Silver's change feed's kind of a change: {@code insert} for a new event. */
  private static final String CHANGE_TYPE = "_change_type";

  private GoldJob() {}

  public static RunSummary run(SparkSession spark, MedallionConfig config, GoldRequest request) {
    return LayerRun.run(spark, config, job(config, request));
  }

  /** A gold run, for {@link LayerRun} to run under gold's lock. */
  public static LayerJob<RunSummary> job(MedallionConfig config, GoldRequest request) {
    TableLocations tables = config.tables();
    GoldTables goldTables = GoldTables.of(config);
    List<GoldTable> gold = goldTables.all();
    return LayerJob.of(
        LAYER,
        gold.stream().flatMap(table -> table.specs().stream()).toList(),
        request.commandLine(),
        spark -> {
          OptionalLong firstUnread =
              ReaderPosition.firstUnreadVersion(
                  spark, tables.checkpoint(CoreTables.GOLD_READS_SILVER));
          Map<String, Long> versionsBefore = versions(spark, tables, gold);
          GoldWriter writer =
              new GoldWriter(
                  spark,
                  tables,
                  Expectation.declared(config).stream()
                      .filter(e -> e.table().startsWith(LAYER + "."))
                      .toList());
          RunSummary summary = runOnce(spark, config, tables, goldTables, request, writer);
          return withFacts(spark, tables, gold, summary, firstUnread, versionsBefore, writer);
        });
  }

  /** The version of every table a gold run writes, entity states included, by SQL name. */
  private static Map<String, Long> versions(
      SparkSession spark, TableLocations tables, List<GoldTable> gold) {
    Map<String, Long> versions = new LinkedHashMap<>();
    gold.stream()
        .flatMap(table -> table.specs().stream())
        .forEach(spec -> versions.put(spec.sqlName(), DeltaTables.version(spark, tables.of(spec))));
    return versions;
  }

  /**
   * The ledger's facts of a gold run: the silver versions it read, the versions it wrote and the
   * rows those commits wrote (Delta's own metrics), and its expectations (a warning for each broken
   * one).
   */
  private static RunSummary withFacts(
      SparkSession spark,
      TableLocations tables,
      List<GoldTable> gold,
      RunSummary summary,
      OptionalLong firstUnread,
      Map<String, Long> versionsBefore,
      GoldWriter writer) {
    Map<String, Long> written = versions(spark, tables, gold);
    long rowsOut = 0;
    for (GoldTable table : gold) {
      long before = versionsBefore.get(table.spec().sqlName());
      if (written.get(table.spec().sqlName()) != before) {
        rowsOut += DeltaTables.rowsWrittenSince(spark, tables.of(table.spec()), before);
      }
    }
    Map<String, Long> broken = writer.brokenByExpectation();
    List<String> warnings = new ArrayList<>();
    broken.forEach(
        (name, rows) -> {
          if (rows > 0) {
            warnings.add(String.format("%d rows written break the expectation %s", rows, name));
          }
        });
    RunFacts facts =
        new RunFacts(
            Map.of(),
            0,
            List.of(),
            List.of(
                new RunFacts.SourceRange(
                    CoreTables.SILVER_EVENTS.sqlName(),
                    firstUnread.isPresent() ? firstUnread.getAsLong() : null,
                    DeltaTables.version(spark, tables.silverEvents()))),
            written,
            summary.facts().batches(),
            summary.facts().phaseSeconds(),
            warnings,
            broken,
            Map.of());
    String covered = summary.covered();
    for (String warning : warnings) {
      LOG.warn("gold: {}", warning);
      covered += "; WARNING: " + warning;
    }
    return new RunSummary(
        summary.layer(), summary.recordsIn(), rowsOut, covered, summary.seconds(), facts);
  }

  private static RunSummary runOnce(
      SparkSession spark,
      MedallionConfig config,
      TableLocations tables,
      GoldTables goldTables,
      GoldRequest request,
      GoldWriter writer) {
    long started = System.nanoTime();
    List<GoldTable> gold = goldTables.all();
    long silverVersion = DeltaTables.version(spark, tables.silverEvents());
    if (silverVersion == DeltaTables.NO_VERSION) {
      throw Errors.usage(
          "Cannot run gold: there is no silver table at "
              + tables.silverEvents()
              + "; run bin/medallion silver first");
    }
    List<GoldTable> selected = request.table().map(List::of).orElse(gold);
    // Every table's SQL is checked before any is created or any data is read.
    Map<GoldTable, Dataset<Row>> checked = new LinkedHashMap<>();
    selected.forEach(table -> checked.put(table, writer.checked(table)));
    List<GoldTable> missing =
        request.fullRefresh() || request.from().isPresent()
            ? List.of()
            : missingBehindCheckpoint(spark, tables, gold);
    checked.forEach(writer::createIfAbsent);
    if (!missing.isEmpty()) {
      LOG.info(
          "gold: building {} from silver v{} in full: new (or gone) while gold's checkpoint is"
              + " there, so new changes alone would fill only their hours and days",
          missing.stream().map(GoldTable::name).toList(),
          silverVersion);
      TableWrites.forEach(missing, table -> writer.rebuild(table, silverVersion));
    }

    if (request.from().isPresent()) {
      return backfill(
          writer, selected, request.from().get(), request.to().get(), silverVersion, started);
    }
    if (request.fullRefresh() && request.table().isPresent()) {
      writer.rebuild(request.table().get(), silverVersion);
      return summary(
          "full refresh of gold." + request.table().get().name() + " from silver v" + silverVersion,
          started);
    }
    Long startingVersion = null;
    if (request.fullRefresh()) {
      LOG.info("gold: full refresh of every table from silver v{}", silverVersion);
      DeltaTables.deleteLocation(spark, tables.checkpoint(CoreTables.GOLD_READS_SILVER));
      TableWrites.forEach(gold, table -> writer.rebuild(table, silverVersion));
      // Version v itself again (it must exist to start from): recomputing what its commit
      // touched is idempotent, and no commit after the rebuild's snapshot can be missed.
      startingVersion = silverVersion;
    }
    return incremental(
        spark, config, tables, goldTables, writer, startingVersion, silverVersion, started);
  }

  private static RunSummary incremental(
      SparkSession spark,
      MedallionConfig config,
      TableLocations tables,
      GoldTables goldTables,
      GoldWriter writer,
      Long startingVersion,
      long silverVersion,
      long started) {
    List<String> touched = new ArrayList<>();
    AtomicLong changesRead = new AtomicLong();
    VoidFunction2<Dataset<Row>, Long> recompute =
        (changes, batchId) -> {
          // Kept before the first action: Spark's progress counts the batch's rows once for every
          // action that reads the source, and the counts, the progress line and the throughput
          // alert must see each change once.
          Dataset<Row> kept = changes.persist(EntityState.KEPT);
          try {
            // As epoch numbers, not java.sql values: those would be read in the JVM's time zone.
            List<Row> units =
                kept.groupBy(
                        unix_date(col(TimeGrain.DAY.silverColumn())),
                        unix_micros(col(TimeGrain.HOUR.silverColumn())),
                        col(CHANGE_TYPE).equalTo("insert"))
                    .agg(count(lit(1)), max(col(EntityState.COMMIT_VERSION)))
                    .collectAsList();
            changesRead.addAndGet(units.stream().mapToLong(r -> r.getLong(3)).sum());
            boolean insertsOnly = units.stream().allMatch(r -> r.getBoolean(2));
            long lastVersion = units.stream().mapToLong(r -> r.getLong(4)).max().orElse(-1);
            List<Object> days =
                units.stream()
                    .map(r -> (Object) LocalDate.ofEpochDay(r.getInt(0)))
                    .distinct()
                    .toList();
            List<Object> hours =
                units.stream()
                    .map(r -> (Object) Instant.EPOCH.plus(r.getLong(1), ChronoUnit.MICROS))
                    .distinct()
                    .toList();
            TableWrites.forEach(
                goldTables.all(),
                table -> {
                  long tableStarted = System.nanoTime();
                  if (table.grain() instanceof EntityGrain) {
                    writer.replaceEntities(table, kept, insertsOnly, lastVersion);
                  } else {
                    writer.replaceUnits(table, table.grain() == TimeGrain.HOUR ? hours : days, -1);
                  }
                  LOG.info(
                      "gold: {} recomputed in {} s",
                      table.name(),
                      String.format(Locale.ROOT, "%.1f", (System.nanoTime() - tableStarted) / 1e9));
                });
            touched.add(hours.size() + " hours/" + days.size() + " days");
          } finally {
            kept.unpersist();
          }
        };
    DataStreamReader reader =
        spark
            .readStream()
            .format("delta")
            .option("readChangeFeed", "true")
            .option("maxFilesPerTrigger", config.get(Settings.GOLD_MAX_FILES_PER_TRIGGER));
    reader =
        startingVersion == null
            ? reader.options(DeltaTables.readFromFirstCommit(spark, tables.silverEvents()))
            : reader.option("startingVersion", startingVersion);
    StreamingRuns.keepAllProgress(spark);
    StreamingRuns.Totals totals;
    try {
      totals =
          StreamingRuns.runAvailableNow(
              reader
                  .load(tables.silverEvents())
                  .writeStream()
                  .queryName("medallion-gold")
                  .option("checkpointLocation", tables.checkpoint(CoreTables.GOLD_READS_SILVER))
                  .foreachBatch(recompute));
    } catch (StreamingQueryException e) {
      throw translate(e);
    }
    String covered =
        String.format(
            "silver changes up to v%d, recomputed %s in %s, %d micro-batches",
            silverVersion,
            touched.isEmpty() ? "nothing" : String.join(" + ", touched),
            goldTables.names(),
            totals.batches());
    return new RunSummary(
        LAYER,
        changesRead.get(),
        0, // the rows written, from the commits' metrics: withFacts
        covered,
        (System.nanoTime() - started) / 1e9,
        new RunFacts(Map.of(), 0, List.of(), List.of(), Map.of(), totals.batches(), Map.of()));
  }

  private static RunSummary backfill(
      GoldWriter writer,
      List<GoldTable> selected,
      LocalDate from,
      LocalDate to,
      long silverVersion,
      long started) {
    List<Object> days = from.datesUntil(to).map(d -> (Object) d).toList();
    List<Object> hours =
        from.datesUntil(to)
            .flatMap(
                d ->
                    IntStream.range(0, 24)
                        .mapToObj(
                            h -> (Object) d.atStartOfDay(ZoneOffset.UTC).plusHours(h).toInstant()))
            .toList();
    TableWrites.forEach(
        selected,
        table -> {
          if (table.grain() instanceof EntityGrain) {
            // The sessions and users with events in the range, each from its whole history.
            writer.recomputeEntities(
                table,
                writer
                    .silver(silverVersion)
                    .where(
                        String.format(
                            "%1$s >= %2$s AND %1$s < %3$s",
                            TimeGrain.DAY.silverColumn(),
                            TimeGrain.DAY.literal(from),
                            TimeGrain.DAY.literal(to))),
                silverVersion);
          } else {
            writer.replaceUnits(
                table, table.grain() == TimeGrain.HOUR ? hours : days, silverVersion);
          }
        });
    return summary(
        "backfill of " + from + " to " + to + " (exclusive) from silver v" + silverVersion,
        started);
  }

  /** A rebuild's summary: it reads no changes; the rows it wrote are added by withFacts. */
  private static RunSummary summary(String covered, long started) {
    return new RunSummary(LAYER, 0, 0, covered, (System.nanoTime() - started) / 1e9);
  }

  /**
   * The tables that do not exist while gold's checkpoint holds batches: a table declared since (a
   * new SQL file) or deleted, which the changes after the checkpoint would fill only in their
   * hours, days and entities, so it is built in full first. A gold without its checkpoint needs
   * none: reading all of silver's changes again recomputes whole units, which is exact.
   */
  private static List<GoldTable> missingBehindCheckpoint(
      SparkSession spark, TableLocations tables, List<GoldTable> gold) {
    if (!Checkpoints.holdsBatches(spark, tables.checkpoint(CoreTables.GOLD_READS_SILVER))) {
      return List.of();
    }
    return gold.stream().filter(t -> neverWritten(spark, tables.of(t.spec()))).toList();
  }

  /**
   * Whether a table is absent, or as created and never written: a run killed after creating a new
   * table and before its build leaves it so, and the next run builds it.
   */
  private static boolean neverWritten(SparkSession spark, String path) {
    long version = DeltaTables.version(spark, path);
    return version == DeltaTables.NO_VERSION
        || (version == 0 && DeltaTables.holdsNoFiles(spark, path));
  }

  /** A silver rebuilt or cleaned up under gold's feet: failures operators must understand. */
  static RuntimeException translate(StreamingQueryException e) {
    Optional<MedallionException> ours = Errors.raisedWithin(e);
    if (ours.isPresent()) {
      return ours.get();
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE")
        || message.toLowerCase().contains("table id")) {
      return Errors.jobFailed(
          "silver was rebuilt (full refresh) since gold last ran, so gold cannot continue from its"
              + " checkpoint; run bin/medallion gold --full-refresh",
          e);
    }
    return Errors.sourceLogCleanedUp(message, LAYER, "silver/events", e)
        .orElseGet(() -> Errors.jobFailed("gold failed: " + Errors.firstLine(message), e));
  }
}
