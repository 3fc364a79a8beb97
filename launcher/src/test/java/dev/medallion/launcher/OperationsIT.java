package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.bronze.BronzeLag;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.ops.RunLedger;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.events.EventGenerator;
import dev.medallion.testkit.events.GeneratedRecord;
import dev.medallion.testkit.events.GeneratorSpec;
import dev.medallion.testkit.events.RecordKind;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The run ledger and {@code status} against what really happened: bronze's offsets against the
 * broker's end offsets, silver's quarantine by reason against the generator's intent, the versions
 * written against the tables, a failed run's error line; the lag against what was produced and not
 * yet ingested, and the exit code of a broken threshold.
 */
class OperationsIT extends PipelineIT {
  @Test
  void eachRunLeavesOneRowSayingWhatItReadAndWrote() throws Exception {
    String topic = "ledger";
    kafka.createTopic(topic, 2);
    MedallionConfig config = config(topic, Map.of());
    List<GeneratedRecord> records =
        EventGenerator.generate(
            new GeneratorSpec(7, 0, 800, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.1));
    Produced.produce(kafka.bootstrapServers(), topic, records);

    assertThatThrownBy(() -> GoldJob.run(spark, config, GoldRequest.incremental()))
        .hasMessageStartingWith("Cannot run gold: there is no silver table");
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());

    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(tables().ops(RunLedger.NAME))
            .orderBy("started_at")
            .collectAsList();
    assertThat(rows)
        .extracting(r -> r.<String>getAs("command"))
        .containsExactly("gold", "bronze", "silver", "gold");
    assertThat(rows)
        .extracting(r -> r.<String>getAs("status"))
        .containsExactly("FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
    assertThat(rows.get(0).<String>getAs("error"))
        .startsWith("Cannot run gold: there is no silver table");

    // Bronze read each partition from its start to the broker's end.
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int partition = 0; partition < 2; partition++) {
      latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
    }
    Map<Integer, Long> brokerEnds =
        kafka.admin().listOffsets(latest).all().get().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    Row bronze = rows.get(1);
    Map<Integer, Long> ledgerEnds =
        list(bronze, "kafka_offsets").stream()
            .collect(
                Collectors.toMap(
                    r -> r.<Integer>getAs("partition"), r -> r.<Long>getAs("end_offset")));
    assertThat(ledgerEnds).isEqualTo(brokerEnds);
    assertThat(bronze.<Long>getAs("rows_in")).isEqualTo(records.size());
    assertThat(javaMap(bronze.getJavaMap(bronze.fieldIndex("versions_written"))))
        .containsEntry("bronze.events", versionOf(tables().bronzeEvents()));

    // Silver's quarantine by reason is the generator's invalid records by kind.
    Row silver = rows.get(2);
    Map<String, Long> expected =
        records.stream()
            .filter(r -> !r.kind().isValid())
            .collect(Collectors.groupingBy(r -> r.kind().name(), Collectors.counting()));
    assertThat(javaMap(silver.getJavaMap(silver.fieldIndex("quarantined")))).isEqualTo(expected);
    assertThat(silver.<Long>getAs("duplicates"))
        .isEqualTo(records.stream().filter(r -> r.kind() == RecordKind.DUPLICATE).count());
    Row bronzeRead = list(silver, "source_versions").get(0);
    assertThat(bronzeRead.<String>getAs("table")).isEqualTo("bronze.events");
    assertThat(bronzeRead.<Long>getAs("to_version")).isEqualTo(versionOf(tables().bronzeEvents()));

    Row gold = rows.get(3);
    assertThat(list(gold, "source_versions").get(0).<Long>getAs("to_version"))
        .isEqualTo(versionOf(tables().silverEvents()));
    assertThat(Arrays.asList(rows.get(1), silver, gold))
        .allSatisfy(r -> assertThat(r.<Object>getAs("finished_at")).isNotNull());
  }

  @Test
  void statusSaysHowFarEachTableIsBehindAndFailsOnABrokenThreshold() throws Exception {
    String topic = "status";
    kafka.createTopic(topic, 2);
    MedallionConfig config = config(topic, Map.of());
    GeneratorSpec spec = GeneratorSpec.clean(11, 400);
    Produced.produce(kafka.bootstrapServers(), topic, EventGenerator.generate(spec));
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    Instant beforeGold = Instant.now();
    Status.Report fresh = Status.measure(spark, config, beforeGold);
    assertThat(lagOf(fresh, "bronze.events")).isZero();
    assertThat(lagOf(fresh, "silver.events")).isZero();
    assertThat(lagOf(fresh, "gold.hourly_revenue"))
        .as("silver versions gold never read")
        .isPositive();
    assertThat(table(fresh, "gold.hourly_revenue").lastSuccess()).isNull();
    assertThat(table(fresh, "silver.events").rows()).isEqualTo(400);

    // 150 more in Kafka, not ingested: bronze is 150 records behind.
    Produced.produce(kafka.bootstrapServers(), topic, EventGenerator.generate(spec.next(150)));
    GoldJob.run(spark, config, GoldRequest.incremental());
    Status.Report behind = Status.measure(spark, config, Instant.now());
    assertThat(lagOf(behind, "bronze.events")).isEqualTo(150);
    List<BronzeLag.PartitionLag> partitions = table(behind, "bronze.events").partitions();
    assertThat(partitions).extracting(BronzeLag.PartitionLag::partition).containsExactly(0, 1);
    assertThat(partitions.stream().mapToLong(BronzeLag.PartitionLag::lag).sum()).isEqualTo(150);
    assertThat(lagOf(behind, "gold.hourly_revenue")).isZero();
    assertThat(table(behind, "gold.daily_funnel").lastSuccess()).isAfter(beforeGold);
    assertThat(behind.healthy()).isTrue();

    // The same from the command line, with a threshold it breaks: exit 3 and JSON.
    Map<String, String> settings = new HashMap<>(config.raw());
    settings.put("status.max.kafka.lag", "100");
    List<String> args = CommandLines.withSettings("status", settings);
    args.add("--json");
    ChildJvm.Result status =
        ChildJvm.run(Main.class, args, CommandLines.secrets(settings), Duration.ofMinutes(3));
    assertThat(status.exitCode()).as(status.output()).isEqualTo(3);
    assertThat(status.output())
        .contains("\"healthy\" : false")
        .contains("bronze.events: 150 records behind, over status.max.kafka.lag=100")
        .contains("medallion: status: 1 threshold(s) broken");
  }

  private static Status.TableStatus table(Status.Report report, String name) {
    return report.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
  }

  private static long lagOf(Status.Report report, String name) {
    return table(report, name).lag();
  }

  private static List<Row> list(Row row, String field) {
    return row.getList(row.fieldIndex(field));
  }

  private long versionOf(String path) {
    return dev.medallion.common.delta.DeltaTables.version(spark, path);
  }

  private static <V> Map<String, V> javaMap(Map<Object, Object> map) {
    Map<String, V> copy = new HashMap<>();
    map.forEach((k, v) -> copy.put((String) k, cast(v)));
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static <V> V cast(Object value) {
    return (V) value;
  }
}
