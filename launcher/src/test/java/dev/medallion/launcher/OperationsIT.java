package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void traceFindsTheKafkaRecordsAndRunsBehindAGoldRow() {
    String topic = "trace";
    kafka.createTopic(topic, 2);
    MedallionConfig config = config(topic, Map.of());
    GeneratorSpec spec = GeneratorSpec.clean(13, 300);
    Map<String, GeneratedRecord> produced = new HashMap<>();
    for (GeneratorSpec round : List.of(spec, spec.next(200))) {
      produced.putAll(
          Produced.produce(kafka.bootstrapServers(), topic, EventGenerator.generate(round)));
      BronzeJob.run(spark, config);
      SilverJob.run(spark, config, false);
      GoldJob.run(spark, config, GoldRequest.incremental());
    }
    // The busiest (hour, event type) of the generator's truth, and where its records landed.
    Map<List<Object>, List<String>> byRow =
        produced.entrySet().stream()
            .collect(
                Collectors.groupingBy(
                    e ->
                        List.<Object>of(
                            e.getValue().event().timestamp() / 3_600_000 * 3_600_000_000L,
                            e.getValue().event().eventType()),
                    Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
    Map.Entry<List<Object>, List<String>> busiest =
        byRow.entrySet().stream()
            .max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
            .orElseThrow();
    String where =
        "unix_micros(window_start) = "
            + busiest.getKey().get(0)
            + " AND event_type = '"
            + busiest.getKey().get(1)
            + "'";

    Trace.Result trace = Trace.run(spark, tables(), "gold.hourly_revenue", where);

    assertThat(trace.goldRows()).isEqualTo(1);
    assertThat(trace.events()).isEqualTo(busiest.getValue().size());
    Map<Integer, List<Long>> offsets =
        busiest.getValue().stream()
            .map(c -> c.split("/"))
            .collect(
                Collectors.groupingBy(
                    c -> Integer.parseInt(c[1]),
                    Collectors.mapping(c -> Long.parseLong(c[2]), Collectors.toList())));
    assertThat(trace.records())
        .allSatisfy(
            p -> {
              List<Long> expected = offsets.get(p.partition());
              assertThat(p.records()).isEqualTo(expected.size());
              assertThat(p.first())
                  .isEqualTo(expected.stream().mapToLong(Long::longValue).min().orElseThrow());
              assertThat(p.last())
                  .isEqualTo(expected.stream().mapToLong(Long::longValue).max().orElseThrow());
            });
    assertThat(trace.records())
        .extracting(Trace.PartitionRecords::partition)
        .containsExactlyInAnyOrderElementsOf(offsets.keySet());
    // Every record came through a bronze run, and each layer's runs that read them are named.
    assertThat(
            trace.runs().stream()
                .filter(r -> r.layer().equals("bronze"))
                .mapToLong(Trace.Run::records)
                .sum())
        .isEqualTo(busiest.getValue().size());
    assertThat(trace.runs()).extracting(Trace.Run::layer).contains("bronze", "silver", "gold");
  }

  @Test
  void alertsReachAWebhookThatFailsAtFirst() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          // The first delivery fails: the alert is retried.
          int status = requests.incrementAndGet() == 1 ? 503 : 200;
          if (status == 200) {
            received.add(body);
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    try {
      String topic = "alerts";
      kafka.createTopic(topic, 1);
      MedallionConfig config =
          config(
              topic,
              Map.of(
                  "alerts.webhook.url",
                  "http://127.0.0.1:" + server.getAddress().getPort() + "/hook",
                  "alerts.min.rows.per.second",
                  "1000000000",
                  "silver.quarantine.max.ratio",
                  "0.01"));
      Produced.produce(
          kafka.bootstrapServers(),
          topic,
          EventGenerator.generate(
              new GeneratorSpec(5, 0, 300, GeneratorSpec.DEFAULT_START, 24, 0, 0, 0.2)));

      assertThatThrownBy(() -> GoldJob.run(spark, config, GoldRequest.incremental()))
          .hasMessageStartingWith("Cannot run gold");
      BronzeJob.run(spark, config);
      SilverJob.run(spark, config, false);
    } finally {
      server.stop(0);
    }
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (String body : received) {
      alerts.add(new ObjectMapper().readValue(body, new TypeReference<Map<String, Object>>() {}));
    }
    assertThat(alerts)
        .extracting(a -> a.get("kind") + " " + a.get("layer"))
        .contains("RUN_FAILED gold", "SLOW_BATCH bronze", "RUN_WARNING silver");
    assertThat(alerts)
        .filteredOn(a -> a.get("kind").equals("RUN_FAILED"))
        .singleElement()
        .satisfies(a -> assertThat((String) a.get("message")).startsWith("Cannot run gold"));
    assertThat(alerts)
        .filteredOn(a -> a.get("kind").equals("RUN_WARNING"))
        .singleElement()
        .satisfies(a -> assertThat((String) a.get("message")).contains("quarantine"));
    assertThat(requests.get()).isEqualTo(received.size() + 1);
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
