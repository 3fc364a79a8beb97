package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.RunSummary;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.events.EventGenerator;
import dev.medallion.common.events.GeneratedRecord;
import dev.medallion.common.events.GeneratorSpec;
import dev.medallion.common.events.GroundTruth;
import dev.medallion.common.events.RecordKind;
import dev.medallion.common.testing.Produced;
import dev.medallion.common.testing.ChildJvm;
import dev.medallion.common.testing.PipelineIT;
import dev.medallion.silver.SilverJob;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Kafka -> bronze -> silver -> gold, with gold checked against an independent computation. */
class GoldJobIT extends PipelineIT {

  @Test
  void goldStaysExactThroughLateEventsDuplicatesRerunsRefreshesAndBackfills() {
    String topic = "exact";
    kafka.createTopic(topic, 3);
    GeneratorSpec first = new GeneratorSpec(31, 0, 3_000, GeneratorSpec.DEFAULT_START, 24, 0.08, 0.05, 0.01);
    List<GeneratedRecord> produced = new ArrayList<>();
    produced.addAll(produce(topic, first));
    MedallionConfig config = config(topic, Map.of());
    runPipeline(config);
    assertGoldEquals(GroundTruth.of(produced));

    // Later: events for hours gold already has, events days late, and duplicates of old events.
    List<GeneratedRecord> second = produce(topic, first.next(1_500));
    assertThat(second.stream().filter(r -> r.kind() == RecordKind.LATE)).isNotEmpty();
    assertThat(second.stream().filter(r -> r.kind() == RecordKind.DUPLICATE)).isNotEmpty();
    produced.addAll(second);
    runPipeline(config);
    GroundTruth truth = GroundTruth.of(produced);
    assertGoldEquals(truth);

    Map<String, Long> versions = goldVersions();
    RunSummary idle = GoldJob.run(spark, config, GoldRequest.incremental());
    assertThat(idle.recordsIn()).isZero();
    assertThat(goldVersions()).isEqualTo(versions);

    GoldJob.run(spark, config, GoldRequest.parse("hourly_revenue", true, null, null));
    assertGoldEquals(truth);
    GoldJob.run(spark, config, GoldRequest.parse(null, true, null, null));
    assertGoldEquals(truth);
    GoldJob.run(spark, config, GoldRequest.parse(null, false, "2025-12-28", "2026-01-03"));
    assertGoldEquals(truth);
  }

  @Test
  void aKilledGoldRunRerunGivesTheExactTables() throws Exception {
    String topic = "killed";
    kafka.createTopic(topic, 3);
    List<GeneratedRecord> produced = produce(topic, new GeneratorSpec(32, 0, 6_000, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0));
    // Many small silver files, and one per gold micro-batch: the kill lands between batches.
    MedallionConfig config = config(topic, Map.of("kafka.max.offsets.per.trigger", "300", "silver.max.files.per.trigger", "3", "gold.max.files.per.trigger", "1"));
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);

    ChildJvm.killAfterCommits(GoldMain.class, config, lakehouse.resolve("gold/daily_funnel"), 3, Duration.ofSeconds(240));

    GoldJob.run(spark, config(topic, Map.of()), GoldRequest.incremental());

    assertGoldEquals(GroundTruth.of(produced));
  }

  private void runPipeline(MedallionConfig config) {
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());
  }

  private void assertGoldEquals(GroundTruth truth) {
    ExpectedGold expected = ExpectedGold.of(truth);
    Map<String, String> hourly = new TreeMap<>();
    Map<String, BigDecimal> averages = new TreeMap<>();
    for (Row r : gold("hourly_revenue").selectExpr("unix_millis(window_start)", "event_type", "unix_millis(window_end)", "event_count", "total_revenue", "unique_users", "avg_order_value").collectAsList()) {
      String key = r.getLong(0) + "|" + r.getString(1);
      assertThat(hourly.put(key, r.getLong(2) + "|" + r.getLong(3) + "|" + r.getDecimal(4).setScale(6).toPlainString() + "|" + r.getLong(5))).as("one row per hour and type").isNull();
      averages.put(key, r.isNullAt(6) ? null : r.getDecimal(6));
    }
    assertThat(hourly).isEqualTo(expected.hourlyRevenue);
    assertThat(averages.keySet()).isEqualTo(expected.hourlyAverage.keySet());
    expected.hourlyAverage.forEach((key, average) -> {
      if (average == null) {
        assertThat(averages.get(key)).as("average of %s", key).isNull();
      } else {
        assertThat(averages.get(key).subtract(average).abs()).as("average of %s", key).isLessThan(new BigDecimal("1e-9"));
      }
    });

    Map<String, String> sales = new TreeMap<>();
    gold("daily_category_sales").collectAsList().forEach(r -> sales.put(r.getDate(0) + "|" + r.getString(1), r.getLong(2) + "|" + r.getDecimal(3).setScale(6).toPlainString() + "|" + r.getLong(4)));
    assertThat(sales).isEqualTo(expected.dailyCategorySales);

    Map<String, String> funnel = new TreeMap<>();
    gold("daily_funnel").collectAsList().forEach(r -> funnel.put(r.getDate(0).toString(), r.getLong(1) + "|" + r.getLong(2) + "|" + r.getLong(3) + "|" + r.get(4) + "|" + r.get(5) + "|" + r.get(6)));
    assertThat(funnel).isEqualTo(expected.dailyFunnel);
  }

  private org.apache.spark.sql.Dataset<Row> gold(String table) {
    return spark.read().format("delta").load(tables().gold(table));
  }

  private Map<String, Long> goldVersions() {
    Map<String, Long> versions = new HashMap<>();
    GoldTables.ALL.forEach(t -> versions.put(t.name(), DeltaTables.version(spark, tables().gold(t.name()))));
    return versions;
  }

  private static List<GeneratedRecord> produce(String topic, GeneratorSpec spec) {
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    Produced.produce(kafka.bootstrapServers(), topic, records);
    return records;
  }

}
