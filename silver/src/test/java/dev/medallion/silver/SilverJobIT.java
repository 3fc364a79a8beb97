package dev.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.sample.events.BundledProducts;
import dev.medallion.sample.events.Event;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.sample.events.RecordKind;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Kafka -> bronze -> silver on a real broker and real Delta tables, checked against ground truth.
 */
class SilverJobIT extends PipelineIT {
  private static final BigDecimal FX = new BigDecimal("1.08");
  private static final Map<String, String> CATEGORIES = BundledProducts.categories();

  @Test
  void duplicatesAcrossBatchesAndRunsLeaveExactlyTheGroundTruthAndAFullRefreshRebuildsIt() {
    String topic = "dedup";
    kafka.createTopic(topic, 3);
    GeneratorSpec first =
        new GeneratorSpec(21, 0, 4_000, GeneratorSpec.DEFAULT_START, 48, 0.10, 0.05, 0.03);
    Map<String, GeneratedRecord> produced =
        new HashMap<>(
            Produced.produce(kafka.bootstrapServers(), topic, EventGenerator.generate(first)));
    // Small bronze and silver batches: duplicates fall within a micro-batch and across them.
    MedallionConfig config =
        config(
            topic,
            Map.of("kafka.max.offsets.per.trigger", "1500", "silver.max.files.per.trigger", "2"));
    BronzeJob.run(spark, config);
    RunSummary firstRun = SilverJob.run(spark, config, false);
    assertThat(firstRun.recordsIn()).isEqualTo(produced.size());

    // A second run, later: new events, late ones, and duplicates of the first run's events.
    produced.putAll(
        Produced.produce(
            kafka.bootstrapServers(), topic, EventGenerator.generate(first.next(2_000))));
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);

    GroundTruth truth = GroundTruth.of(produced.values());
    assertThat(truth.count(RecordKind.DUPLICATE)).isGreaterThan(100);
    assertThat(truth.count(RecordKind.LATE)).isGreaterThan(50);
    assertThat(silverRows()).isEqualTo(expectedRows(truth));
    assertThat(quarantineReasons()).isEqualTo(expectedReasons(produced));
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();

    long silverVersion = DeltaTables.version(spark, tables().silverEvents());
    RunSummary idle = SilverJob.run(spark, config, false);
    assertThat(idle.recordsIn()).isZero();
    assertThat(DeltaTables.version(spark, tables().silverEvents())).isEqualTo(silverVersion);

    // Bronze is the replay log: with the topic gone, a full refresh rebuilds the same tables.
    Set<String> silverBefore = silverRows();
    Map<String, String> quarantineBefore = quarantineReasons();
    kafka.deleteTopic(topic);
    RunSummary refresh = SilverJob.run(spark, config(topic, Map.of()), true);

    assertThat(refresh.recordsIn()).isEqualTo(produced.size());
    assertThat(silverRows()).isEqualTo(silverBefore);
    assertThat(quarantineReasons()).isEqualTo(quarantineBefore);
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();
  }

  @Test
  void replayAfterARuleChangeMovesRecordsToSilverExactlyOnce() {
    String topic = "replay";
    kafka.createTopic(topic, 1);
    long inTwoDays = Instant.now().plus(Duration.ofHours(40)).toEpochMilli();
    Event future = new Event("future-1", "u-9", "s-9-0", "purchase", "p-3", 20.0, inTwoDays, "m");
    Event normal =
        new Event(
            "normal-1",
            "u-9",
            "s-9-0",
            "page_view",
            "p-3",
            null,
            inTwoDays - Duration.ofDays(3).toMillis(),
            "m");
    List<GeneratedRecord> records =
        List.of(
            new GeneratedRecord(
                null,
                future.toJson().getBytes(StandardCharsets.UTF_8),
                RecordKind.TIMESTAMP_OUT_OF_RANGE,
                null),
            new GeneratedRecord(
                null, normal.toJson().getBytes(StandardCharsets.UTF_8), RecordKind.VALID, normal),
            new GeneratedRecord(
                null,
                "not json".getBytes(StandardCharsets.UTF_8),
                RecordKind.MALFORMED_JSON,
                null));
    Produced.produce(kafka.bootstrapServers(), topic, records);
    MedallionConfig config = config(topic, Map.of());
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    assertThat(quarantineReasons().values())
        .containsExactlyInAnyOrder("TIMESTAMP_OUT_OF_RANGE", "MALFORMED_JSON");

    // The operator decides events up to 48 hours ahead are fine, and replays.
    MedallionConfig relaxed = config(topic, Map.of("silver.future.tolerance.hours", "48"));
    Quarantine.ReplayResult replay = Quarantine.replay(spark, relaxed, Optional.empty());

    assertThat(replay.replayed()).isEqualTo(2);
    assertThat(replay.inserted()).isEqualTo(1);
    assertThat(replay.stillInvalid()).isEqualTo(1);
    assertThat(quarantineReasons().values()).containsExactly("MALFORMED_JSON");
    assertThat(silverIds()).containsExactlyInAnyOrder("future-1", "normal-1");
    assertThat(Reconciliation.run(spark, relaxed).balanced()).isTrue();

    Quarantine.ReplayResult again = Quarantine.replay(spark, relaxed, Optional.empty());
    assertThat(again.inserted()).isZero();
    assertThat(silverIds()).containsExactlyInAnyOrder("future-1", "normal-1");
  }

  private List<String> silverIds() {
    return spark
        .read()
        .format("delta")
        .load(tables().silverEvents())
        .select("event_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  /** Silver as comparable strings; also asserts one row per event_id. */
  private Set<String> silverRows() {
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(tables().silverEvents())
            .selectExpr(
                "event_id",
                "user_id",
                "session_id",
                "event_type",
                "product_id",
                "revenue",
                "unix_millis(event_time)",
                "revenue_usd",
                "category",
                "event_date",
                "date_format(event_hour, 'HH')")
            .collectAsList();
    Set<String> rendered = new HashSet<>();
    for (Row row : rows) {
      String line =
          String.join(
              "|",
              row.getString(0),
              row.getString(1),
              row.getString(2),
              row.getString(3),
              row.getString(4),
              String.valueOf(row.get(5)),
              String.valueOf(row.getLong(6)),
              row.isNullAt(7) ? "null" : row.getDecimal(7).setScale(6).toPlainString(),
              String.valueOf(row.getString(8)),
              row.get(9).toString(),
              row.getString(10));
      assertThat(rendered.add(line)).as("one silver row per event: %s", line).isTrue();
    }
    assertThat(rows.stream().map(r -> r.getString(0)).distinct().count()).isEqualTo(rows.size());
    return rendered;
  }

  private static Set<String> expectedRows(GroundTruth truth) {
    return truth.events().values().stream()
        .map(
            e -> {
              Instant time = Instant.ofEpochMilli(e.timestamp());
              String usd =
                  e.revenue() == null
                      ? "null"
                      : BigDecimal.valueOf(e.revenue())
                          .multiply(FX)
                          .setScale(6, RoundingMode.HALF_UP)
                          .toPlainString();
              return String.join(
                  "|",
                  e.eventId(),
                  e.userId(),
                  e.sessionId(),
                  e.eventType(),
                  e.productId(),
                  String.valueOf(e.revenue()),
                  String.valueOf(e.timestamp()),
                  usd,
                  String.valueOf(CATEGORIES.get(e.productId())),
                  time.toString().substring(0, 10),
                  time.toString().substring(11, 13));
            })
        .collect(Collectors.toSet());
  }

  /** Quarantine reason code by bronze coordinates; also asserts no record is there twice. */
  private Map<String, String> quarantineReasons() {
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(tables().silverQuarantine())
            .select("topic", "partition", "offset", "reason")
            .collectAsList();
    Map<String, String> reasons = new HashMap<>();
    for (Row row : rows) {
      String key = Produced.coordinates(row.getString(0), row.getInt(1), row.getLong(2));
      assertThat(reasons.put(key, row.getString(3))).as("quarantined twice: %s", key).isNull();
    }
    return reasons;
  }

  private static Map<String, String> expectedReasons(Map<String, GeneratedRecord> produced) {
    Map<String, String> expected = new HashMap<>();
    produced.forEach(
        (coordinates, record) -> {
          if (!record.kind().isValid()) {
            expected.put(coordinates, record.kind().name());
          }
        });
    return expected;
  }
}
