package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.medallion.bronze.BronzeJob;
import dev.medallion.bronze.BronzeLag;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.gold.GoldAssertions;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.sample.events.RecordKind;
import dev.medallion.silver.Quarantine;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  void eachRunLeavesOneRowSayingWhatItReadAndWroteAndSendsItsLineage() throws Exception {
    String topic = "ledger";
    kafka.createTopic(topic, 2);
    List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/lineage",
        exchange -> {
          events.add(
              new ObjectMapper()
                  .readValue(
                      exchange.getRequestBody().readAllBytes(),
                      new TypeReference<Map<String, Object>>() {}));
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    server.start();
    MedallionConfig config =
        config(
            topic,
            Map.of(
                "lineage.url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/lineage",
                "lineage.api.token",
                "t0k3n"));
    List<GeneratedRecord> records =
        EventGenerator.generate(
            new GeneratorSpec(7, 0, 800, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.1));
    Produced.produce(kafka.bootstrapServers(), topic, records);
    try {
      assertThatThrownBy(() -> GoldJob.run(spark, config, GoldRequest.incremental()))
          .hasMessageStartingWith("Cannot run gold: there is no silver table");
      BronzeJob.run(spark, config);
      SilverJob.run(spark, config, false);
      GoldJob.run(spark, config, GoldRequest.incremental());
    } finally {
      server.stop(0);
    }

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

    // Lineage: START, then COMPLETE or FAIL, for the same runs, with what each read and wrote.
    assertThat(events)
        .extracting(e -> job(e) + " " + e.get("eventType"))
        .containsExactly(
            "gold START",
            "gold FAIL",
            "bronze START",
            "bronze COMPLETE",
            "silver START",
            "silver COMPLETE",
            "gold START",
            "gold COMPLETE");
    assertThat(authorizations).containsOnly("Bearer t0k3n");
    assertThat(events)
        .allSatisfy(
            e -> assertThat(e.get("schemaURL")).asString().startsWith("https://openlineage.io/"));
    assertThat(cast(cast(events.get(1).get("run"), "facets"), "errorMessage"))
        .asString()
        .contains("Cannot run gold");
    List<String> runIds = rows.stream().map(r -> r.<String>getAs("run_id")).toList();
    assertThat(events)
        .extracting(OperationsIT::runId)
        .containsExactly(
            runIds.get(0),
            runIds.get(0),
            runIds.get(1),
            runIds.get(1),
            runIds.get(2),
            runIds.get(2),
            runIds.get(3),
            runIds.get(3));
    String bronzeTable = "file " + path(tables().bronzeEvents()) + " v";
    assertThat(datasets(events.get(3), "inputs"))
        .containsExactly("kafka://" + kafka.bootstrapServers().split(",")[0] + " " + topic);
    assertThat(datasets(events.get(3), "outputs"))
        .containsExactly(bronzeTable + versionOf(tables().bronzeEvents()));
    assertThat(datasets(events.get(5), "inputs"))
        .containsExactly(bronzeTable + versionOf(tables().bronzeEvents()));
    assertThat(datasets(events.get(5), "outputs"))
        .containsExactlyInAnyOrder(
            "file " + path(tables().silverEvents()) + " v" + versionOf(tables().silverEvents()),
            "file "
                + path(tables().silverQuarantine())
                + " v"
                + versionOf(tables().silverQuarantine()));
    assertThat(datasets(events.get(7), "inputs"))
        .containsExactly(
            "file " + path(tables().silverEvents()) + " v" + versionOf(tables().silverEvents()));
    assertThat(datasets(events.get(7), "outputs"))
        .contains(
            "file "
                + path(tables().of(GoldTables.bundled("hourly_revenue").spec()))
                + " v"
                + versionOf(tables().of(GoldTables.bundled("hourly_revenue").spec())));
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

    // A run shows its micro-batches as it goes (on a terminal, or with progress=on) ...
    PrintStream stderr = System.err;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
    try {
      BronzeJob.run(spark, config(topic, Map.of("progress", "on")));
    } finally {
      System.setErr(stderr);
    }
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .containsPattern("bronze: micro-batch \\d+: 150 rows at [\\d,]+ rows/s \\(150 so far\\)");
    // ... and --quiet leaves warnings, errors and the summary line only.
    Produced.produce(
        kafka.bootstrapServers(), topic, EventGenerator.generate(spec.next(150).next(40)));
    BronzeJob.run(spark, config);
    List<String> quiet = CommandLines.withSettings("silver", settings);
    quiet.add("--quiet");
    ChildJvm.Result silver =
        ChildJvm.run(Main.class, quiet, CommandLines.secrets(settings), Duration.ofMinutes(3));
    assertThat(silver.exitCode()).as(silver.output()).isZero();
    assertThat(silver.output())
        .contains("silver: 190 records in, 190 out")
        .doesNotContain("silver: micro-batch ")
        .doesNotContain(" INFO ");
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

    Trace.Result trace =
        Trace.run(spark, GoldTables.bundled(), tables(), "gold.hourly_revenue", where);

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

  @Test
  void eachExpectationActionDoesWhatItSaysAndTheReportShowsIt() throws Exception {
    String topic = "expect";
    kafka.createTopic(topic, 2);
    Map<String, String> declared =
        Map.of(
            "expect.silver.events.no_page_views",
            "quarantine: event_type <> 'page_view'",
            "expect.silver.events.modest_revenue",
            "warn: revenue_usd < 50",
            "expect.gold.hourly_revenue.some_users",
            "warn: unique_users > 0");
    MedallionConfig config = config(topic, declared);
    List<GeneratedRecord> records =
        new ArrayList<>(
            EventGenerator.generate(
                new GeneratorSpec(11, 0, 600, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.05)));
    Produced.produce(kafka.bootstrapServers(), topic, records);

    // A predicate over a column silver's events do not have is refused before anything is read.
    MedallionConfig unknownColumn =
        config(topic, Map.of("expect.silver.events.typo", "warn: revenue_eur > 0"));
    BronzeJob.run(spark, config);
    assertThatThrownBy(() -> SilverJob.run(spark, unknownColumn, false))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot use the expectation expect.silver.events.typo ('revenue_eur > 0')")
        .hasMessageContaining("revenue_usd");
    assertThat(versionOf(tables().silverEvents())).isEqualTo(DeltaTables.NO_VERSION);

    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());

    // quarantine: every record of a page view (duplicates too) is in the quarantine, named.
    List<GeneratedRecord> validRecords = records.stream().filter(r -> r.kind().isValid()).toList();
    long pageViews =
        validRecords.stream().filter(r -> r.event().eventType().equals("page_view")).count();
    long bigRevenue =
        validRecords.stream()
            .filter(r -> !r.event().eventType().equals("page_view"))
            .filter(r -> r.event().revenue() != null && r.event().revenue() * 1.08 >= 50)
            .count();
    assertThat(pageViews).isPositive();
    assertThat(bigRevenue).isPositive();
    assertThat(
            spark
                .read()
                .format("delta")
                .load(tables().silverQuarantine())
                .where("reason = 'no_page_views'")
                .count())
        .isEqualTo(pageViews);
    List<GeneratedRecord> kept =
        records.stream()
            .filter(r -> !r.kind().isValid() || !r.event().eventType().equals("page_view"))
            .toList();
    GroundTruth truth = GroundTruth.of(kept);
    assertThat(
            spark
                .read()
                .format("delta")
                .load(tables().silverEvents())
                .select("event_id")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0)))
        .containsExactlyInAnyOrderElementsOf(truth.events().keySet());
    GoldAssertions.assertGoldEquals(spark, tables(), truth);

    // warn: the events are written, counted in the ledger, and the run warns.
    Row silver = lastRun("silver");
    assertThat(javaMap(silver.getJavaMap(silver.fieldIndex("expectations"))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "silver.events.no_page_views", pageViews,
                "silver.events.modest_revenue", bigRevenue));
    assertThat(javaMap(silver.getJavaMap(silver.fieldIndex("quarantined"))))
        .containsEntry("no_page_views", pageViews);
    assertThat(silver.<String>getList(silver.fieldIndex("warnings")))
        .contains(
            bigRevenue
                + " events break the expectation silver.events.modest_revenue (revenue_usd < 50)");
    Row gold = lastRun("gold");
    assertThat(javaMap(gold.getJavaMap(gold.fieldIndex("expectations"))))
        .containsExactly(Map.entry("gold.hourly_revenue.some_users", 0L));

    // fail: the batch is not committed, and the next run reads it again.
    List<GeneratedRecord> more =
        EventGenerator.generate(
            new GeneratorSpec(12, 0, 200, GeneratorSpec.DEFAULT_START, 24, 0, 0, 0));
    Produced.produce(kafka.bootstrapServers(), topic, more);
    BronzeJob.run(spark, config);
    Map<String, String> failing = new HashMap<>(declared);
    failing.put("expect.silver.events.no_carts", "fail: event_type <> 'add_to_cart'");
    long silverVersion = versionOf(tables().silverEvents());
    long quarantineVersion = versionOf(tables().silverQuarantine());
    assertThatThrownBy(() -> SilverJob.run(spark, config(topic, failing), false))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Stopped before committing micro-batch 1 of silver.events: ")
        .hasMessageContaining("break the expectation silver.events.no_carts");
    assertThat(versionOf(tables().silverEvents())).isEqualTo(silverVersion);
    assertThat(versionOf(tables().silverQuarantine())).isEqualTo(quarantineVersion);
    assertThat(lastRun("silver").<String>getAs("error"))
        .startsWith("Stopped before committing micro-batch 1");

    Map<String, String> failingGold = new HashMap<>(declared);
    failingGold.put("expect.gold.hourly_revenue.no_purchases", "fail: event_type <> 'purchase'");
    SilverJob.run(spark, config, false);
    long hourlyVersion = versionOf(tables().of(GoldTables.bundled("hourly_revenue").spec()));
    assertThatThrownBy(
            () -> GoldJob.run(spark, config(topic, failingGold), GoldRequest.incremental()))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining("break the expectation gold.hourly_revenue.no_purchases");
    assertThat(versionOf(tables().of(GoldTables.bundled("hourly_revenue").spec())))
        .isEqualTo(hourlyVersion);

    GoldJob.run(spark, config, GoldRequest.incremental());
    List<GeneratedRecord> all = new ArrayList<>(kept);
    more.stream()
        .filter(r -> !r.kind().isValid() || !r.event().eventType().equals("page_view"))
        .forEach(all::add);
    GoldAssertions.assertGoldEquals(spark, tables(), GroundTruth.of(all));

    theReportRendersInABrowser(config);
  }

  /**
   * The run report of this lakehouse (its runs, failures and expectations) opened in a real
   * headless Chromium: its charts drawn, its console silent, a screenshot kept in target/.
   */
  private void theReportRendersInABrowser(MedallionConfig config) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    if (!Files.isExecutable(chromium)) {
      assertThat(System.getenv("CI_REQUIRE_BROWSER"))
          .as("CI_REQUIRE_BROWSER is set but %s is missing", chromium)
          .isNull();
      System.out.println("report: not opened in a browser, " + chromium + " is not installed");
      return;
    }
    long hours =
        spark
            .read()
            .format("delta")
            .load(tables().of(GoldTables.bundled("hourly_revenue").spec()))
            .select("window_start")
            .distinct()
            .count();
    Path page = lakehouse.resolve("report.html");
    Files.writeString(page, Report.html(spark, config, Instant.now()), StandardCharsets.UTF_8);

    List<String> browser =
        List.of(
            chromium.toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--user-data-dir=" + lakehouse.resolve("chromium-profile"),
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000");
    List<String> dump = new ArrayList<>(browser);
    dump.addAll(List.of("--dump-dom", page.toUri().toString()));
    Browser rendered = Browser.run(dump);
    assertThat(rendered.stderr())
        .as("the page's console (every message is a defect: the page logs nothing)")
        .doesNotContain("CONSOLE");
    String dom = rendered.stdout();
    assertThat(renderedMarks(dom, "chart-bronze-duration")).isEqualTo(ledgerRuns("bronze"));
    assertThat(renderedMarks(dom, "chart-gold-duration")).isEqualTo(ledgerRuns("gold"));
    assertThat(renderedMarks(dom, "chart-revenue")).isEqualTo(hours).isPositive();
    assertThat(dom)
        .contains("silver.events.modest_revenue")
        .contains("Stopped before committing micro-batch")
        .contains("gold.hourly_revenue");

    Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    List<String> shoot = new ArrayList<>(browser);
    shoot.addAll(
        List.of(
            "--hide-scrollbars",
            "--window-size=1400,2600",
            "--screenshot=" + screenshot,
            page.toUri().toString()));
    Browser.run(shoot);
    assertThat(Files.size(screenshot)).as("screenshot %s", screenshot).isGreaterThan(10_000);
  }

  /** A layer's runs in the ledger (the report's duration charts draw one bar per run). */
  private long ledgerRuns(String layer) {
    return spark
        .read()
        .format("delta")
        .load(tables().ops(RunLedger.NAME))
        .where("layer = '" + layer + "' AND finished_at IS NOT NULL")
        .count();
  }

  @Test
  void anomalyChecksFireOnATenfoldDropAndStayQuietOnNormalVariation() {
    String topic = "anomaly";
    kafka.createTopic(topic, 1);
    MedallionConfig config = config(topic, Map.of());
    List<GeneratedRecord> produced = new ArrayList<>();
    int seed = 20;
    for (int events : new int[] {1_000, 1_250, 900, 1_100}) {
      produced.addAll(produceAndIngest(topic, config, seed++, events));
      SilverJob.run(spark, config, false);
    }
    assertThat(silverRuns())
        .as("normal variation raises nothing")
        .allSatisfy(r -> assertThat(r.<String>getList(r.fieldIndex("warnings"))).isEmpty());

    // A tenth of the usual volume: warned of (the default action), and written.
    produced.addAll(produceAndIngest(topic, config, seed++, 100));
    SilverJob.run(spark, config, false);
    assertThat(lastRun("silver").<String>getList(lastRun("silver").fieldIndex("warnings")))
        .singleElement()
        .asString()
        .startsWith(
            "anomaly: volume: 100 records to read, against a median of 1050 over the last 4");

    // fail: nothing is committed, and the records wait for the next run.
    produced.addAll(produceAndIngest(topic, config, seed++, 100));
    long silverVersion = versionOf(tables().silverEvents());
    assertThatThrownBy(
            () -> SilverJob.run(spark, config(topic, Map.of("anomaly.action", "fail")), false))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Stopped before committing the run of silver on an anomaly: volume");
    assertThat(versionOf(tables().silverEvents())).isEqualTo(silverVersion);

    // quarantine: the run's records are held, and a replay brings them in once checked.
    SilverJob.run(spark, config(topic, Map.of("anomaly.action", "quarantine")), false);
    assertThat(versionOf(tables().silverEvents())).isEqualTo(silverVersion);
    assertThat(
            spark
                .read()
                .format("delta")
                .load(tables().silverQuarantine())
                .where("reason = 'ANOMALY'")
                .count())
        .isEqualTo(100);
    Quarantine.replay(spark, config, Optional.of("ANOMALY"));
    assertThat(
            spark
                .read()
                .format("delta")
                .load(tables().silverEvents())
                .select("event_id")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0)))
        .containsExactlyInAnyOrderElementsOf(GroundTruth.of(produced).events().keySet());
  }

  /** The number of marks a chart of the report drew, from its data-rendered attribute. */
  private static long renderedMarks(String dom, String chart) {
    java.util.regex.Matcher matcher =
        java.util.regex.Pattern.compile("id=\"" + chart + "\"[^>]*data-rendered=\"(\\d+)\"")
            .matcher(dom);
    assertThat(matcher.find()).as("chart %s rendered", chart).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  /** A headless Chromium run: bounded, and stopped whatever happens. */
  private record Browser(String stdout, String stderr) {
    static Browser run(List<String> command) throws Exception {
      Path out = Files.createTempFile("chromium", ".out");
      Path err = Files.createTempFile("chromium", ".err");
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      try {
        assertThat(process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS))
            .as("chromium finished within 90 s")
            .isTrue();
        return new Browser(Files.readString(out), Files.readString(err));
      } finally {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    }
  }

  private static String job(Map<String, Object> event) {
    return (String) cast(event.get("job"), "name");
  }

  private static String runId(Map<String, Object> event) {
    return (String) cast(event.get("run"), "runId");
  }

  /** Each dataset of an event's inputs or outputs as "namespace name [vVERSION]". */
  private static List<String> datasets(Map<String, Object> event, String side) {
    List<Map<String, Object>> datasets = cast(event.get(side));
    return datasets.stream()
        .map(
            d -> {
              Object facets = d.get("facets");
              Object version =
                  facets == null ? null : cast(cast(facets, "version"), "datasetVersion");
              return d.get("namespace")
                  + " "
                  + d.get("name")
                  + (version == null ? "" : " v" + version);
            })
        .toList();
  }

  private static Object cast(Object map, String key) {
    Map<String, Object> fields = cast(map);
    return fields == null ? null : fields.get(key);
  }

  private static String path(String table) {
    return Path.of(table).toAbsolutePath().normalize().toString();
  }

  /** Produces {@code events} generated events (no invalid ones) and runs bronze. */
  private List<GeneratedRecord> produceAndIngest(
      String topic, MedallionConfig config, int seed, int events) {
    List<GeneratedRecord> records =
        EventGenerator.generate(
            new GeneratorSpec(seed, 0, events, GeneratorSpec.DEFAULT_START, 24, 0, 0, 0));
    Produced.produce(kafka.bootstrapServers(), topic, records);
    BronzeJob.run(spark, config);
    return records;
  }

  private List<Row> silverRuns() {
    return spark
        .read()
        .format("delta")
        .load(tables().ops(RunLedger.NAME))
        .where("layer = 'silver'")
        .collectAsList();
  }

  private Row lastRun(String layer) {
    return spark
        .read()
        .format("delta")
        .load(tables().ops(RunLedger.NAME))
        .where("layer = '" + layer + "'")
        .orderBy(org.apache.spark.sql.functions.col("started_at").desc())
        .first();
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
    return DeltaTables.version(spark, path);
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
