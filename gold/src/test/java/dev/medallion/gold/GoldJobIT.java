package dev.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableSpec;
import dev.medallion.sample.events.Event;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.sample.events.RecordKind;
import dev.medallion.sample.events.TimeShape;
import dev.medallion.silver.Reconciliation;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** Kafka -> bronze -> silver -> gold, with gold checked against an independent computation. */
class GoldJobIT extends PipelineIT {
  /** The last silver version a gold run of {@link #runPipeline} read. */
  private long silverReadByGold = -1;

  /**
   * What production topics carry besides events: tombstones, empty and huge values, deep nesting,
   * numbers no decimal holds. Each record lands in bronze once and in silver or the quarantine
   * once, and no layer fails.
   */
  @Test
  void hostileRecordsGoThroughEveryLayerWithoutStoppingIt() throws IOException {
    String topic = "hostile";
    kafka.createTopic(topic, 2);
    List<GeneratedRecord> records =
        new ArrayList<>(
            EventGenerator.generate(
                new GeneratorSpec(
                    41, 0, 1_000, GeneratorSpec.DEFAULT_START, 12, 0.05, 0.05, 0.02)));
    Event template =
        records.stream()
            .filter(r -> r.kind() == RecordKind.VALID)
            .findFirst()
            .orElseThrow()
            .event();
    String valid = template.toJson();
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    records.add(new GeneratedRecord(key, null, RecordKind.NULL_VALUE, null));
    records.add(new GeneratedRecord(null, null, RecordKind.NULL_VALUE, null));
    records.add(new GeneratedRecord(null, new byte[0], RecordKind.MALFORMED_JSON, null));
    records.add(
        new GeneratedRecord(null, utf8("[" + valid + "]"), RecordKind.MALFORMED_JSON, null));
    records.add(
        new GeneratedRecord(
            null,
            utf8("{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000)),
            RecordKind.MALFORMED_JSON,
            null));
    records.add(
        new GeneratedRecord(
            null, utf8("{\"x\":\"" + "z".repeat(900_000)), RecordKind.MALFORMED_JSON, null));
    records.add(
        new GeneratedRecord(
            null, new byte[] {'{', (byte) 0xFF, '}'}, RecordKind.INVALID_UTF8, null));
    for (String revenue : List.of("NaN", "Infinity", "-Infinity", "1e400", "1" + "0".repeat(40))) {
      String json =
          valid
              .replace(
                  "\"event_id\":\"" + template.eventId() + "\"",
                  "\"event_id\":\"rev-" + revenue.length() + revenue.charAt(0) + "\"")
              .replaceFirst("\"revenue\":[^,]*", "\"revenue\":" + revenue);
      records.add(new GeneratedRecord(null, utf8(json), RecordKind.REVENUE_OUT_OF_RANGE, null));
    }
    Map<String, GeneratedRecord> produced =
        Produced.produce(kafka.bootstrapServers(), topic, records);
    MedallionConfig config = config(topic, Map.of());

    runPipeline(config);

    Row bronze =
        spark
            .read()
            .format("delta")
            .load(tables().bronzeEvents())
            .selectExpr("count(*)", "count(DISTINCT partition, offset)")
            .head();
    assertThat(List.of(bronze.getLong(0), bronze.getLong(1)))
        .containsExactly((long) produced.size(), (long) produced.size());
    Map<String, String> quarantined = new HashMap<>();
    for (Row row :
        spark
            .read()
            .format("delta")
            .load(tables().silverQuarantine())
            .select("topic", "partition", "offset", "reason")
            .collectAsList()) {
      assertThat(
              quarantined.put(
                  Produced.coordinates(row.getString(0), row.getInt(1), row.getLong(2)),
                  row.getString(3)))
          .isNull();
    }
    Map<String, String> expected = new HashMap<>();
    produced.forEach(
        (coordinates, record) -> {
          if (!record.kind().isValid()) {
            expected.put(coordinates, record.kind().name());
          }
        });
    assertThat(quarantined).isEqualTo(expected);
    assertGoldEquals(GroundTruth.of(produced.values()));
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();
    assertFileTablesAreCheckedBeforeAnythingIsCreated(topic);
  }

  @Test
  void goldStaysExactThroughLateEventsDuplicatesRerunsRefreshesAndBackfills() {
    String topic = "exact";
    kafka.createTopic(topic, 3);
    GeneratorSpec first =
        new GeneratorSpec(31, 0, 3_000, GeneratorSpec.DEFAULT_START, 24, 0.08, 0.05, 0.01);
    List<GeneratedRecord> produced = new ArrayList<>();
    produced.addAll(produce(topic, first));
    MedallionConfig config = config(topic, Map.of("gold.tables.dir", FILE_TABLES.toString()));
    runPipeline(config);
    assertGoldEquals(GroundTruth.of(produced));
    assertFileTablesEqual(GroundTruth.of(produced));
    assertOnlyCreatedAndWritten(GoldTables.of(config));

    // Later: events for hours gold already has, events days late, and duplicates of old events.
    List<GeneratedRecord> second = produce(topic, first.next(1_500));
    assertThat(second.stream().filter(r -> r.kind() == RecordKind.LATE)).isNotEmpty();
    assertThat(second.stream().filter(r -> r.kind() == RecordKind.DUPLICATE)).isNotEmpty();
    produced.addAll(second);
    // As in a lakehouse whose gold ran before entity states: the run builds them from silver,
    // which already holds the changes it is about to read.
    for (GoldTable table :
        List.of(GoldTables.bundled("sessions"), GoldTables.bundled("user_features"))) {
      DeltaTables.deleteLocation(spark, tables().of(table.stateSpec().orElseThrow()));
    }
    runPipeline(config);
    GroundTruth truth = GroundTruth.of(produced);
    assertGoldEquals(truth);
    assertFileTablesEqual(truth);

    Map<String, Long> versions = goldVersions(GoldTables.of(config));
    RunSummary idle = GoldJob.run(spark, config, GoldRequest.incremental());
    assertThat(idle.recordsIn()).isZero();
    assertThat(goldVersions(GoldTables.of(config))).isEqualTo(versions);

    GoldTables gold = GoldTables.of(config);
    GoldJob.run(spark, config, GoldRequest.parse(gold, "user_purchases", true, null, null));
    assertGoldEquals(truth);
    assertFileTablesEqual(truth);
    GoldJob.run(spark, config, GoldRequest.parse(gold, null, true, null, null));
    assertGoldEquals(truth);
    assertFileTablesEqual(truth);
    GoldJob.run(spark, config, GoldRequest.parse(gold, null, false, "2025-12-28", "2026-01-03"));
    assertGoldEquals(truth);
    assertFileTablesEqual(truth);
    // Through incremental runs, refreshes and a backfill, the file tables' included.
    assertTablesCarryTheirDescriptions(gold);
    // States built from silver and refreshed tables got theirs without a commit of their own.
    assertOnlyCreatedAndWritten(gold);
  }

  /** The tables added by a SQL file alone, which the bundled tables' checks do not know. */
  private static final Path FILE_TABLES = Path.of("src", "test", "resources", "gold-tables");

  /**
   * The file tables of {@link #FILE_TABLES} equal the generator's truth, computed here: page views
   * and viewers per hour and product, and purchases, revenue and last purchase per user.
   */
  private void assertFileTablesEqual(GroundTruth truth) {
    Map<String, Long> views = new TreeMap<>();
    Map<String, Set<String>> viewers = new TreeMap<>();
    Map<String, String> purchases = new TreeMap<>();
    Map<String, List<Event>> byBuyer = new TreeMap<>();
    for (Event e : truth.events().values()) {
      if (e.eventType().equals("page_view") && e.productId() != null) {
        String key =
            (e.timestamp() - Math.floorMod(e.timestamp(), 3_600_000L)) + "|" + e.productId();
        views.merge(key, 1L, Long::sum);
        viewers.computeIfAbsent(key, k -> new HashSet<>()).add(e.userId());
      }
      if (e.eventType().equals("purchase") && e.userId() != null) {
        byBuyer.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
      }
    }
    Map<String, String> expectedViews = new TreeMap<>();
    views.forEach((key, n) -> expectedViews.put(key, n + "|" + viewers.get(key).size()));
    byBuyer.forEach(
        (user, events) -> {
          BigDecimal usd = BigDecimal.ZERO.setScale(6);
          for (Event e : events) {
            if (e.revenue() != null) {
              usd =
                  usd.add(
                      BigDecimal.valueOf(e.revenue())
                          .multiply(ExpectedGold.FX)
                          .setScale(6, RoundingMode.HALF_UP));
            }
          }
          long last = events.stream().mapToLong(Event::timestamp).max().orElseThrow();
          purchases.put(user, events.size() + "|" + usd.toPlainString() + "|" + last);
        });
    assertThat(
            fileTableRows(
                "hourly_product_views",
                2,
                "unix_millis(window_start)",
                "product_id",
                "views",
                "viewers"))
        .isEqualTo(expectedViews);
    assertThat(
            fileTableRows(
                "user_purchases",
                1,
                "user_id",
                "purchases",
                "CAST(revenue_usd AS STRING)",
                "unix_millis(last_purchase)"))
        .isEqualTo(purchases);
  }

  /**
   * A file table's rows as text, by the first {@code keys} of {@code columns} ('|'-joined); a key
   * held by two rows fails.
   */
  private Map<String, String> fileTableRows(String table, int keys, String... columns) {
    Map<String, String> rows = new TreeMap<>();
    for (Row r :
        spark.read().format("delta").load(goldPath(table)).selectExpr(columns).collectAsList()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < columns.length; i++) {
        cells.add(String.valueOf(r.get(i)));
      }
      String key = String.join("|", cells.subList(0, keys));
      assertThat(rows.put(key, String.join("|", cells.subList(keys, cells.size()))))
          .as("one row of %s per %s", table, key)
          .isNull();
    }
    return rows;
  }

  /**
   * An hourly run costs its hour, not the history. Six days of a shop's traffic are kept in
   * gold.sessions and its state in files of {@value #SESSION_FILE_ROWS} sessions. Then an hour
   * arrives whose events include 30 of sessions begun a day to a day and a half before (each a
   * minute before an event of its session) and 10 of users with events on the first day. Gold runs
   * with silver's other days moved away (a read of them fails), so it must read silver only for the
   * days the hour's events fall on. Each merge into gold.sessions and its state copies at most the
   * rows of the sessions begun since the earliest late one, and two files more. Gold equals the
   * truth after.
   */
  @Test
  void anHourlyRunReadsAndRewritesOnlyWhatItsChangesTouch() throws IOException {
    String topic = "hourly";
    kafka.createTopic(topic, 2);
    int days = 6;
    Instant hour = GeneratorSpec.DEFAULT_START.plus(days, ChronoUnit.DAYS);
    List<GeneratedRecord> produced = new ArrayList<>();
    MedallionConfig config = config(topic, Map.of());
    List<GeneratedRecord> late;
    spark.conf().set(EntityState.MAX_RECORDS_PER_FILE, SESSION_FILE_ROWS);
    try {
      produced.addAll(produce(topic, shopTraffic(71, 3_000, GeneratorSpec.DEFAULT_START, days)));
      runPipeline(config);
      late = lateInSessionsOf(produced, hour);
      List<GeneratedRecord> hourly =
          new ArrayList<>(EventGenerator.generate(shopTraffic(72, 150, hour, 0)));
      hourly.addAll(late);
      hourly.addAll(returningUsers(produced, hour));
      Produced.produce(kafka.bootstrapServers(), topic, hourly);
      produced.addAll(hourly);
      BronzeJob.run(spark, config);
      SilverJob.run(spark, config, false);
      runGoldWithSilverOnlyOf(config, eventDates(hourly));
    } finally {
      spark.conf().unset(EntityState.MAX_RECORDS_PER_FILE);
    }
    assertGoldEquals(GroundTruth.of(produced));

    // A session spans half an hour; a late event of one moves its start a minute earlier at most.
    Instant lateFrom =
        late.stream()
            .map(r -> Instant.ofEpochMilli(r.event().timestamp()))
            .min(Instant::compareTo)
            .orElseThrow()
            .minus(31, ChronoUnit.MINUTES);
    for (String table : List.of("sessions", "sessions_state")) {
      Dataset<Row> rows = spark.read().format("delta").load(goldPath(table));
      long recent = rows.where(col("session_start").geq(lit(lateFrom))).count();
      assertThat(rows.count())
          .as("gold.%s holds more than four files besides its recent sessions", table)
          .isGreaterThan(recent + 4 * SESSION_FILE_ROWS);
      Row merge = io.delta.tables.DeltaTable.forPath(spark, goldPath(table)).history(1).head();
      Map<String, String> metrics = merge.getJavaMap(merge.fieldIndex("operationMetrics"));
      assertThat(merge.<String>getAs("operation")).isEqualTo("MERGE");
      assertThat(Long.parseLong(metrics.get("numTargetRowsCopied")))
          .as("rows of gold.%s the hourly merge copied", table)
          .isLessThanOrEqualTo(recent + 2 * SESSION_FILE_ROWS);
    }
  }

  /**
   * Runs gold with every silver day but {@code days} moved away, and puts them back: a read of them
   * fails the run. At least the history's first three days must go.
   */
  private void runGoldWithSilverOnlyOf(MedallionConfig config, Set<String> days)
      throws IOException {
    String partition = "event_date=";
    Path silver = Path.of(tables().silverEvents());
    Path away = Files.createTempDirectory("silver-days-away");
    List<Path> moved = new ArrayList<>();
    try (Stream<Path> partitions = Files.list(silver)) {
      for (Path day :
          partitions
              .filter(d -> d.getFileName().toString().startsWith(partition))
              .filter(d -> !days.contains(d.getFileName().toString().substring(partition.length())))
              .toList()) {
        moved.add(day);
        Files.move(day, away.resolve(day.getFileName()));
      }
    }
    try {
      assertThat(moved.stream().map(d -> d.getFileName().toString()))
          .contains(partition + "2026-01-01", partition + "2026-01-02", partition + "2026-01-03");
      GoldJob.run(spark, config, GoldRequest.incremental());
    } finally {
      for (Path day : moved) {
        Files.move(away.resolve(day.getFileName()), day);
      }
    }
  }

  /** The UTC days the events of {@code records} fall on: the silver days a run of them touches. */
  private static Set<String> eventDates(List<GeneratedRecord> records) {
    Set<String> days = new HashSet<>();
    for (GeneratedRecord record : records) {
      if (record.event() != null) {
        days.add(ExpectedGold.day(record.event()).toString());
      }
    }
    return days;
  }

  /**
   * An event in {@code hour} of each of 10 users with events on the history's first day, each in a
   * session of its own: a run that read a touched user's whole history would read that day.
   */
  private static List<GeneratedRecord> returningUsers(List<GeneratedRecord> history, Instant hour) {
    long firstDayEnd = GeneratorSpec.DEFAULT_START.plus(1, ChronoUnit.DAYS).toEpochMilli();
    List<String> users =
        history.stream()
            .filter(r -> r.kind() == RecordKind.VALID && r.event() != null)
            .map(GeneratedRecord::event)
            .filter(e -> e.timestamp() < firstDayEnd)
            .map(Event::userId)
            .distinct()
            .limit(10)
            .toList();
    List<GeneratedRecord> back = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      Event event =
          new Event(
              "evt-back-" + i,
              users.get(i),
              "s-back-" + i,
              "page_view",
              "p-1",
              null,
              hour.toEpochMilli() + i * 60_000L,
              "{\"device\":\"web\"}");
      back.add(
          new GeneratedRecord(utf8(event.userId()), utf8(event.toJson()), RecordKind.VALID, event));
    }
    return back;
  }

  /**
   * 30 events a minute before events of {@code history} of a day to a day and a half before {@code
   * hour}, of their sessions: late events of sessions the history began.
   */
  private static List<GeneratedRecord> lateInSessionsOf(
      List<GeneratedRecord> history, Instant hour) {
    long from = hour.minus(36, ChronoUnit.HOURS).toEpochMilli();
    long to = hour.minus(1, ChronoUnit.DAYS).toEpochMilli();
    List<Event> begun =
        history.stream()
            .filter(r -> r.kind() == RecordKind.VALID && r.event() != null)
            .map(GeneratedRecord::event)
            .filter(e -> e.timestamp() >= from && e.timestamp() < to)
            .sorted(java.util.Comparator.comparingLong(Event::timestamp))
            .toList();
    List<GeneratedRecord> late = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Event e = begun.get(i * (begun.size() - 1) / 29);
      Event earlier =
          new Event(
              "evt-late-" + i,
              e.userId(),
              e.sessionId(),
              e.eventType(),
              e.productId(),
              e.revenue(),
              e.timestamp() - 60_000,
              e.metadata());
      late.add(
          new GeneratedRecord(utf8(e.userId()), utf8(earlier.toJson()), RecordKind.LATE, earlier));
    }
    return late;
  }

  /** The sessions a file of gold.sessions and its state holds in the hourly run's test. */
  private static final int SESSION_FILE_ROWS = 50;

  /** {@code events} of a shop's traffic over {@code days} from {@code start} (or one hour). */
  private static GeneratorSpec shopTraffic(long seed, int events, Instant start, int days) {
    return new GeneratorSpec(
        seed, 0, events, start, Math.max(1, days * 24), 0.05, 0.05, 0, TimeShape.DAILY);
  }

  private String goldPath(String table) {
    return tables().of(new TableSpec(CoreTables.GOLD, table, List.of(), List.of(), List.of()));
  }

  /**
   * Knowledge-time features see only what was ingested by their day. Three days' arrivals (written
   * to bronze as that day's ingestion would have, each with events days late and duplicates of
   * earlier ones), silver and gold run after each: both feature tables equal the generator's truth
   * every time; the rows of earlier days in user_features_known never change, while late events
   * rewrite user_features' rows of days before their arrival.
   */
  @Test
  void knowledgeTimeFeaturesSeeOnlyWhatWasIngestedByTheirDay() {
    String topic = "known";
    kafka.createTopic(topic, 1);
    MedallionConfig config = config(topic, Map.of());
    BronzeJob.run(spark, config); // creates bronze, empty: the arrivals below are its rows
    List<Instant> ingestions =
        List.of(
            Instant.parse("2026-01-01T23:00:00Z"),
            Instant.parse("2026-01-02T12:00:00Z"),
            Instant.parse("2026-01-04T06:00:00Z"));
    List<GeneratedRecord> produced = new ArrayList<>();
    Map<String, LocalDate> ingestDays = new HashMap<>();
    Map<String, String> knownEarlier = new TreeMap<>();
    Map<String, String> byEventTimeEarlier = new TreeMap<>();
    for (int day = 0; day < ingestions.size(); day++) {
      Instant ingested = ingestions.get(day);
      List<GeneratedRecord> arrivals =
          EventGenerator.generate(
              new GeneratorSpec(
                  47, day * 800L, 800, GeneratorSpec.DEFAULT_START, 24, 0.1, 0.15, 0));
      appendToBronze(arrivals, produced.size(), ingested);
      produced.addAll(arrivals);
      arrivals.forEach(
          r ->
              ingestDays.putIfAbsent(
                  r.event().eventId(), LocalDate.ofInstant(ingested, ZoneOffset.UTC)));
      SilverJob.run(spark, config, false);
      GoldJob.run(spark, config, GoldRequest.incremental());

      ExpectedGold expected = ExpectedGold.of(GroundTruth.of(produced), ingestDays);
      GoldAssertions.assertFeatures(
          spark,
          tables(),
          "user_features_known",
          expected.userFeaturesKnown,
          expected.userAverageOrderKnown);
      GoldAssertions.assertFeatures(
          spark, tables(), "user_features", expected.userFeatures, expected.userAverageOrder);
      Map<String, String> known = featureRows("user_features_known");
      Map<String, String> byEventTime = featureRows("user_features");
      assertThat(known).containsAllEntriesOf(knownEarlier);
      if (day > 0) {
        Map<String, String> earlier = byEventTimeEarlier;
        assertThat(
                earlier.keySet().stream().filter(k -> !earlier.get(k).equals(byEventTime.get(k))))
            .as("late events rewrote rows of days before they arrived")
            .isNotEmpty();
      }
      knownEarlier = known;
      byEventTimeEarlier = byEventTime;
    }
    assertThat(knownEarlier.keySet().stream().map(k -> k.substring(k.indexOf('|') + 1)))
        .as("a row per day of arrival")
        .containsOnly("2026-01-01", "2026-01-02", "2026-01-04");
  }

  /**
   * Appends {@code records} to bronze as a run at {@code ingested} would: one Kafka partition,
   * offsets from {@code firstOffset}, the record's time the ingestion time.
   */
  private void appendToBronze(List<GeneratedRecord> records, long firstOffset, Instant ingested) {
    String bronze = tables().bronzeEvents();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      rows.add(
          RowFactory.create(
              records.get(i).key(),
              records.get(i).value(),
              "known",
              0,
              firstOffset + i,
              ingested,
              List.of(),
              ingested,
              LocalDate.ofInstant(ingested, ZoneOffset.UTC)));
    }
    spark
        .createDataFrame(rows, spark.read().format("delta").load(bronze).schema())
        .write()
        .format("delta")
        .mode("append")
        .save(bronze);
  }

  /** A features table's rows by user and day, rendered. */
  private Map<String, String> featureRows(String table) {
    Map<String, String> rows = new TreeMap<>();
    GoldAssertions.featureRows(spark, tables(), table)
        .forEach(r -> rows.put(r.getString(0), r.mkString("|")));
    return rows;
  }

  /**
   * A table or checkpoint that vanished under silver or gold is refused; the full refresh it names
   * rebuilds exactly.
   */
  @Test
  void lostSilverStateIsRefusedAndLostGoldTablesAreRebuiltExactly() {
    String topic = "lost";
    kafka.createTopic(topic, 2);
    List<GeneratedRecord> produced =
        produce(
            topic,
            new GeneratorSpec(33, 0, 1_500, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.02));
    MedallionConfig config = config(topic, Map.of());
    runPipeline(config);

    String silverCheckpoint = tables().checkpoint(SilverJob.LAYER, SilverJob.TABLE);
    DeltaTables.deleteLocation(spark, silverCheckpoint);
    assertThatThrownBy(() -> SilverJob.run(spark, config, false))
        .hasMessageStartingWith(
            "Cannot run silver: "
                + tables().silverEvents()
                + " holds events but its checkpoint "
                + silverCheckpoint
                + " is missing")
        .hasMessageContaining("silver --full-refresh");
    SilverJob.run(spark, config, true);
    DeltaTables.deleteLocation(spark, tables().silverEvents());
    assertThatThrownBy(() -> SilverJob.run(spark, config, false))
        .hasMessageStartingWith(
            "Cannot run silver: its checkpoint "
                + silverCheckpoint
                + " is there but the table "
                + tables().silverEvents()
                + " is not");
    SilverJob.run(spark, config, true);
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();

    GoldJob.run(spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
    // A gold table gone while gold's checkpoint is there (as a table declared since) is built in
    // full by the next run.
    DeltaTables.deleteLocation(spark, tables().of(GoldTables.bundled("daily_funnel").spec()));
    GoldJob.run(spark, config, GoldRequest.incremental());
    assertGoldEquals(GroundTruth.of(produced));

    // A table whose comments were changed by hand (or written before they were declared) gets
    // the declaration's back on the next run.
    String hourly =
        DeltaTables.sqlIdentifier(tables().of(GoldTables.bundled("hourly_revenue").spec()));
    spark.sql("ALTER TABLE " + hourly + " ALTER COLUMN unique_users COMMENT 'changed by hand'");
    spark.sql("ALTER TABLE " + hourly + " SET TBLPROPERTIES ('comment' = 'changed by hand')");
    GoldJob.run(spark, config, GoldRequest.incremental());
    assertTablesCarryTheirDescriptions(GoldTables.bundled());
  }

  /**
   * A file table whose SQL names what silver lacks, computes another value on another run, or is
   * not of its declared type is refused against silver's schema before anything is created or read:
   * probes of each rule, and functions that read the clock, the session, files or the JVM.
   */
  private void assertFileTablesAreCheckedBeforeAnythingIsCreated(String topic) throws IOException {
    Path folder = Files.createTempDirectory("gold-tables");
    MedallionConfig config = config(topic, Map.of("gold.tables.dir", folder.toString()));
    String header =
        "CREATE MATERIALIZED VIEW gold.probe (event_date DATE COMMENT 'day', events BIGINT COMMENT"
            + " 'events') COMMENT 'a probe' AS SELECT event_date, ";
    Map<String, String> refusals = new LinkedHashMap<>();
    String count = "count(*) AS events FROM silver.events WHERE ";
    refusals.put("count(no_such_column) AS events FROM silver.events", "UNRESOLVED_COLUMN");
    refusals.put(
        "count(no_such_function(user_id)) AS events FROM silver.events", "UNRESOLVED_ROUTINE");
    refusals.put("count(raw_value) AS events FROM silver.events", "UNRESOLVED_COLUMN"); // bronze's
    refusals.put(count + "rand() < 2", "rand gives another value on another run");
    refusals.put(count + "random() < 2", "gives another value");
    refusals.put(count + "uuid() IS NOT NULL", "uuid gives another value");
    refusals.put(count + "event_date <= current_date()", "current_date gives another value");
    refusals.put(count + "event_time < now()", "gives another value");
    refusals.put(count + "user_id <> current_user()", "gives another value");
    refusals.put(count + "current_database() = 'default'", "gives another value");
    refusals.put(
        count + "reflect('java.lang.System', 'getenv', 'HOME') IS NULL", "gives another value");
    refusals.put(
        count + "java_method('java.lang.System', 'exit', 0) IS NULL", "gives another value");
    refusals.put(count + "input_file_name() <> ''", "gives another value");
    refusals.put(count + "monotonically_increasing_id() >= 0", "gives another value");
    refusals.put(count + "spark_partition_id() >= 0", "gives another value");
    refusals.put(count + "size(shuffle(array(user_id, event_id))) = 2", "gives another value");
    refusals.put(
        "count(*) + 0.5 AS events FROM silver.events",
        "is declared BIGINT and its SQL computes DECIMAL");
    refusals.put(
        "CAST(count(*) AS INT) AS events FROM silver.events",
        "is declared BIGINT and its SQL computes INT");
    Path probe = folder.resolve("probe.sql");
    Dataset<Row> silver = spark.read().format("delta").load(tables().silverEvents()).limit(0);
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      String sql = header + refusal.getKey() + " GROUP BY event_date";
      assertThatThrownBy(
              () -> GoldTableCheck.checked(GoldStatement.parse("probe.sql", sql), silver))
          .as(refusal.getKey())
          .hasMessageStartingWith("Cannot build gold table probe: ")
          .hasMessageContaining(refusal.getValue())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    // The job makes the same check of every table before it creates one or reads data.
    Files.writeString(probe, header + count + "rand() < 2 GROUP BY event_date");
    assertThatThrownBy(() -> GoldJob.run(spark, config, GoldRequest.incremental()))
        .hasMessage(
            "Cannot build gold table probe: rand gives another value on another run, so a"
                + " recomputed hour, day or entity would change; compute from silver's columns"
                + " alone");
    assertThat(Path.of(tables().root(), "gold", "probe")).doesNotExist();
    Files.writeString(probe, header + "count(*) AS events FROM silver.events GROUP BY event_date");
    GoldJob.run(spark, config, GoldRequest.incremental());
    // A table declared since gold last ran is built from all of silver by the next run.
    assertThat(
            spark
                .read()
                .format("delta")
                .load(tables().root() + "/gold/probe")
                .selectExpr("sum(events)")
                .head()
                .getLong(0))
        .isEqualTo(rows(tables().silverEvents()));
  }

  /**
   * Every commit of every gold table and entity state creates it or writes rows: each is created
   * with its comments, so none needs a metadata-only commit per column to get them (a first run
   * paid ten such commits per state, one after another).
   */
  private void assertOnlyCreatedAndWritten(GoldTables gold) {
    Set<String> creatingOrWriting =
        Set.of("CREATE TABLE", "CREATE TABLE AS SELECT", "WRITE", "MERGE");
    for (GoldTable table : gold.all()) {
      for (TableSpec spec : table.specs()) {
        List<String> operations =
            io.delta.tables.DeltaTable.forPath(spark, tables().of(spec))
                .history()
                .select("operation")
                .as(Encoders.STRING())
                .collectAsList();
        assertThat(operations).as(spec.sqlName()).isSubsetOf(creatingOrWriting);
      }
    }
  }

  /** Every gold column, and every gold table, carries its declared description as its comment. */
  private void assertTablesCarryTheirDescriptions(GoldTables gold) {
    for (GoldTable table : gold.all()) {
      String path = tables().of(table.spec());
      Map<String, String> comments = new LinkedHashMap<>();
      for (StructField field : spark.read().format("delta").load(path).schema().fields()) {
        comments.put(field.name(), field.getComment().getOrElse(() -> "(none)"));
      }
      assertThat(comments).as(table.name()).containsExactlyEntriesOf(table.columnDescriptions());
      assertThat(
              spark
                  .sql("DESCRIBE DETAIL " + DeltaTables.sqlIdentifier(path))
                  .select("description")
                  .head()
                  .getString(0))
          .as(table.name())
          .isEqualTo(table.description());
      // An entity table's state is a table of the lakehouse too: no column of it undescribed.
      for (TableSpec state : table.stateSpec().stream().toList()) {
        assertThat(spark.read().format("delta").load(tables().of(state)).schema().fields())
            .as(state.name())
            .allSatisfy(field -> assertThat(field.getComment().isDefined()).isTrue());
      }
    }
  }

  /**
   * The three runs, each summary's counts checked against an independent count: rows the tables
   * gained, silver's change feed over the versions gold read, Delta's own metrics of gold's
   * commits.
   */
  private void runPipeline(MedallionConfig config) {
    long bronzeRows = rows(tables().bronzeEvents());
    RunSummary bronze = BronzeJob.run(spark, config);
    long bronzeAdded = rows(tables().bronzeEvents()) - bronzeRows;
    assertThat(List.of(bronze.recordsIn(), bronze.recordsOut())).containsOnly(bronzeAdded);

    long silverRows = rows(tables().silverEvents());
    RunSummary silver = SilverJob.run(spark, config, false);
    assertThat(silver.recordsIn()).as(silver.line()).isEqualTo(bronzeAdded);
    assertThat(silver.recordsOut())
        .as(silver.line())
        .isEqualTo(rows(tables().silverEvents()) - silverRows);

    long silverVersion = DeltaTables.version(spark, tables().silverEvents());
    GoldTables gold = GoldTables.of(config);
    Map<String, Long> before = goldVersions(gold);
    ProgressRows progress = new ProgressRows();
    spark.streams().addListener(progress);
    RunSummary run = GoldJob.run(spark, config, GoldRequest.incremental());
    long changes =
        spark
            .read()
            .format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", silverReadByGold + 1)
            .option("endingVersion", silverVersion)
            .load(tables().silverEvents())
            .count();
    silverReadByGold = silverVersion;
    assertThat(run.recordsIn()).as(run.line()).isEqualTo(changes);
    // What the progress lines and the throughput alert read: each change once, too. Listeners
    // hear of a batch asynchronously, so the sum is awaited (a bounded wait).
    try {
      for (int i = 0; i < 100 && progress.rows.get() < changes; i++) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      spark.streams().removeListener(progress);
    }
    assertThat(progress.rows.get()).isEqualTo(changes);
    long written = 0;
    for (Map.Entry<String, Long> table : goldVersions(gold).entrySet()) {
      written +=
          io.delta.tables.DeltaTable.forPath(
                  spark, tables().of(gold.named(table.getKey()).orElseThrow().spec()))
              .history()
              .where("version > " + before.getOrDefault(table.getKey(), -1L))
              .selectExpr("coalesce(sum(CAST(operationMetrics['numOutputRows'] AS BIGINT)), 0)")
              .first()
              .getLong(0);
    }
    assertThat(run.recordsOut()).as(run.line()).isEqualTo(written);
  }

  /** The input rows Spark's progress reports, summed: what the progress line prints. */
  private static final class ProgressRows extends StreamingQueryListener {
    final AtomicLong rows = new AtomicLong();

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      rows.addAndGet(event.progress().numInputRows());
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}
  }

  private long rows(String table) {
    return DeltaTables.version(spark, table) == DeltaTables.NO_VERSION
        ? 0
        : spark.read().format("delta").load(table).count();
  }

  private void assertGoldEquals(GroundTruth truth) {
    GoldAssertions.assertGoldEquals(spark, tables(), truth);
  }

  private Map<String, Long> goldVersions(GoldTables gold) {
    Map<String, Long> versions = new HashMap<>();
    gold.all()
        .forEach(t -> versions.put(t.name(), DeltaTables.version(spark, tables().of(t.spec()))));
    return versions;
  }

  private static List<GeneratedRecord> produce(String topic, GeneratorSpec spec) {
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    Produced.produce(kafka.bootstrapServers(), topic, records);
    return records;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
