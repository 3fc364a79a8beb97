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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    GoldAssertions.assertGoldEquals(spark, tables(), truth);
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
