package dev.medallion.bench;

import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bin/bench [--events N] [--scale M] [--history D,D,...]}: one run on one machine of Kafka's
 * own consumer rate (the limit), the straightforward baseline pipeline, the same flow as a Spark
 * Declarative Pipeline (the peer, first and latest-hour runs) and medallion's three layers (first
 * runs and latest-hour increments as medians of three lakehouses, no-op runs, a spread increment,
 * one core against two, and with {@code --scale} the same on an M-event table), each as its own
 * process with wall time and peak RSS, and each target of the performance issue met or missed with
 * its ratio; with {@code --history 3,30,90} the hourly run's cost after histories of that many days
 * ({@link HistoryLength}), and {@code --events 0} measures that alone. Writes {@code BENCHMARKS.md}
 * and {@code benchmarks.json} in the repository root as each of the two sections ends ({@link
 * Report}: a section an earlier run of the same commit measured stays until measured again).
 */
public final class Benchmark {
  static final String TOPIC = "events";
  static final int PARTITIONS = 4;
  static final int REPEATS = 3;
  static final String WARMUP_TOPIC = "warmup";
  static final List<String> LAYERS = List.of("bronze", "silver", "gold");
  private static final String TASKSET = "/usr/bin/taskset";

  private final Path home;
  private final Path work;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String> rows = new ArrayList<>();
  private final Set<String> topics = new HashSet<>();

  /** The records each recorded step's runs read, by its key: the one-core runs compare theirs. */
  private final Map<String, Long> recordsRead = new HashMap<>();

  private Benchmark(Path home, Path work) {
    this.home = home;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int events = intOption(args, "--events", 1_000_000);
    int scale = intOption(args, "--scale", 0);
    List<Integer> history = listOption(args, "--history");
    int perDay = intOption(args, "--events-per-day", 20_000);
    Path home = Path.of(System.getProperty("medallion.home", ".")).toAbsolutePath().normalize();
    Path work = Files.createTempDirectory("medallion-bench-");
    try {
      new Benchmark(home, work).run(events, scale, history, perDay);
    } finally {
      try (java.util.stream.Stream<Path> paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  static int intOption(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1].replace("_", ""));
      }
    }
    return fallback;
  }

  /** {@code --name 3,30,90}: the listed numbers, ascending; none without the option. */
  static List<Integer> listOption(String[] args, String name) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Arrays.stream(args[i + 1].split(","))
            .map(n -> Integer.parseInt(n.trim()))
            .sorted()
            .toList();
      }
    }
    return List.of();
  }

  private void run(int events, int scale, List<Integer> history, int perDay) throws Exception {
    Report report = Report.of(home);
    results.putAll(report.earlierResults());
    String command = command(events, scale, history, perDay);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work)) {
      warmUp(kafka);
      results.put("cores", Runtime.getRuntime().availableProcessors());
      if (events > 0) {
        report.begin(Report.Section.HEADLINE, results);
        headline(kafka, events, scale);
        report.finish(
            Report.Section.HEADLINE,
            headlineReport(command, report) + scaleOut(),
            results,
            targets());
      }
      if (!history.isEmpty()) {
        report.begin(Report.Section.HISTORY, results);
        String section =
            new HistoryLength(
                    home,
                    work,
                    kafka,
                    perDay,
                    (topic, dir) ->
                        java(BaselinePipeline.class, kafka.bootstrapServers(), topic, dir))
                .measure(history, results);
        report.finish(
            Report.Section.HISTORY,
            measuredBy(command, report) + "\n" + section,
            results,
            targets());
      }
    }
    System.out.print(report.text());
  }

  /**
   * Kafka's consumer, medallion's first, no-op and hourly runs, the baseline, the peer, one core
   * and with {@code scale} the large table.
   */
  private void headline(EmbeddedKafka kafka, int events, int scale) throws Exception {
    String servers = kafka.bootstrapServers();
    GeneratorSpec spec = GeneratorSpec.realistic(7, events);
    long produced = produce(kafka, TOPIC, spec);
    results.put("events", events);
    results.put("records", produced);

    double[] consumer = new double[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
      consumer[i] = consumeAll(servers, TOPIC, produced);
    }
    double limit = median(consumer);
    results.put("kafka_consumer_records_per_s", Math.round(limit));
    rows.add(
        String.format(
            Locale.ROOT,
            "| Kafka's own consumer (the limit) | %,d records | median of %d | %,.0f records/s |"
                + " | |",
            produced,
            REPEATS,
            limit));

    // The headline runs go to REPEATS lakehouses over the same records: medians, not one run.
    List<Lakehouse> lakes = new ArrayList<>();
    for (int i = 0; i < REPEATS; i++) {
      lakes.add(
          new Lakehouse(home, work, work.resolve("lakehouse-" + i).toString(), servers, TOPIC));
    }
    Lakehouse lake = lakes.get(0);
    double total = 0;
    for (String layer : LAYERS) {
      total +=
          record(layer + " first run", runEach(lakes, each -> each.run(layer)), layer, produced);
      List<TimedProcess.Result> noops = new ArrayList<>();
      for (int i = 0; i < REPEATS; i++) {
        noops.add(lake.run(layer));
      }
      double idle = medianWallSeconds(noops);
      results.put(layer + "_noop_wall_s", idle);
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s no-op run (nothing new) | 0 | median of %d | | %.1f s | %,d MB |",
              layer,
              REPEATS,
              idle,
              peakRssMb(noops)));
    }
    results.put("medallion_total_wall_s", total);

    // The baseline reads the same records as the first runs, before the increments arrive.
    TimedProcess.Result baseline =
        TimedProcess.run(
            java(BaselinePipeline.class, servers, TOPIC, work.resolve("baseline").toString()),
            work);
    results.put("baseline_wall_s", baseline.wallSeconds());
    results.put("baseline_peak_rss_mb", baseline.peakRssKb() / 1024);
    rows.add(
        String.format(
            Locale.ROOT,
            "| baseline: the source pipeline, Kafka -> hourly revenue (complete mode) | %,d"
                + " records | 1 run | %,.0f records/s | %.1f s | %,d MB |",
            produced,
            produced / baseline.wallSeconds(),
            baseline.wallSeconds(),
            baseline.peakRssKb() / 1024));
    results.put("speedup_vs_baseline", baseline.wallSeconds() / total);

    // The peer reads the same records too, into as many directories as there are lakehouses.
    List<DeclarativePeer> peers = new ArrayList<>();
    for (int i = 0; i < REPEATS; i++) {
      peers.add(new DeclarativePeer(home, work.resolve("peer-" + i), servers, TOPIC));
    }
    double peerFirst =
        recordPeer(
            "peer: Spark Declarative Pipelines, Kafka -> bronze, silver, the six gold tables"
                + " (one run)",
            runEach(peers, peer -> peer.run(work)),
            "peer",
            produced);
    results.put("speedup_vs_peer", peerFirst / total);
    // Before the increments arrive: one core reads the records the first runs read.
    oneCore(servers, produced);

    // The typical scheduled run: the latest hour's events (10% of what is there), then a
    // worst case: 10% more spread over the whole 48 h window, so every hour and day changes.
    long hourly = produce(kafka, TOPIC, latestHour(spec, events / 10, spec.lateRate()));
    double hourlyTotal = 0;
    for (String layer : LAYERS) {
      hourlyTotal +=
          record(
              layer + " +10% increment: the latest hour",
              runEach(lakes, each -> each.run(layer)),
              layer + "_hourly",
              hourly);
    }
    double peerHourly =
        recordPeer(
            "peer +10% increment: the latest hour",
            runEach(peers, peer -> peer.run(work)), "peer_hourly", hourly);
    results.put("speedup_vs_peer_hourly", peerHourly / hourlyTotal);
    long spread = produce(kafka, TOPIC, spec.next(events / 10));
    for (String layer : LAYERS) {
      record(
          layer + " +10% increment over the whole window",
          List.of(lake.run(layer)),
          layer + "_increment",
          spread);
    }

    if (scale > 0) {
      scaling(kafka, scale);
    }
  }

  /**
   * The same first runs on one core, over the same records, for the scale-out section: the process
   * pinned to one CPU, so the JIT compiler's and the garbage collector's threads share it with the
   * task (with {@code local[1]} alone they had the other core). Runs made after the increments read
   * a fifth more records than the first runs and flattered one core's ratio: they are refused.
   */
  private void oneCore(String servers, long produced) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(TASKSET))) {
      throw new IllegalStateException(
          "bin/bench runs the one-core runs under " + TASKSET + " (util-linux); install it");
    }
    Lakehouse lake =
        new Lakehouse(
                home,
                work,
                work.resolve("one-core").toString(),
                servers,
                TOPIC,
                "spark.master=local[1]")
            .under(TASKSET, "-c", "0");
    for (String layer : LAYERS) {
      record(
          layer + " first run on 1 core (`taskset -c 0`, `local[1]`)",
          List.of(lake.run(layer)),
          layer + "_1core",
          produced);
      long read = recordsRead.get(layer + "_1core");
      if (read != recordsRead.get(layer)) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "%s on 1 core read %,d records and its first runs %,d: the one-core runs must"
                    + " read the first runs' records, before any increment is produced",
                layer,
                read,
                recordsRead.get(layer)));
      }
      results.put(
          layer + "_2core_speedup", number(layer + "_1core_job_s") / number(layer + "_job_s"));
    }
  }

  /**
   * Incremental scaling on a table {@code scale} events large: silver's latest-hour run of 10% new
   * events (compare with the same run on the smaller table), gold's run that touches one hour of
   * the table's (under 1% of them; no late events) against a full refresh, and peak memory.
   */
  private void scaling(EmbeddedKafka kafka, int scale) throws IOException, InterruptedException {
    String topic = "events-" + scale;
    GeneratorSpec spec = GeneratorSpec.realistic(11, scale);
    long produced = produce(kafka, topic, spec);
    results.put("scale_records", produced);
    Lakehouse lake =
        new Lakehouse(
            home, work, work.resolve("scale").toString(), kafka.bootstrapServers(), topic);
    for (String layer : LAYERS) {
      record(
          layer + " first run, " + scale + " events",
          List.of(lake.run(layer)),
          "scale_" + layer,
          produced);
    }
    long hourly = produce(kafka, topic, latestHour(spec, scale / 10, 0));
    for (String layer : LAYERS) {
      record(
          layer + " +10% of " + scale + ": the latest hour",
          List.of(lake.run(layer)),
          "scale_" + layer + "_hourly",
          hourly);
    }
    record(
        "gold --full-refresh, " + scale + " events",
        List.of(lake.run("gold", "--full-refresh")),
        "scale_gold_full_refresh",
        produced);
    results.put(
        "silver_hourly_scale_ratio",
        number("scale_silver_hourly_job_s") / number("silver_hourly_job_s"));
    results.put(
        "gold_hour_vs_full_refresh",
        number("scale_gold_hourly_job_s") / number("scale_gold_full_refresh_job_s"));
  }

  /**
   * New events in the last hour of the spec's window (ids of a seed of their own): what an hourly
   * run sees, an hour and a day that already hold data.
   */
  static GeneratorSpec latestHour(GeneratorSpec spec, int events, double lateRate) {
    return new GeneratorSpec(
        spec.seed() + 1_000,
        0,
        events,
        spec.start().plus(Duration.ofHours(spec.spanHours() - 1L)),
        1,
        spec.duplicateRate(),
        lateRate,
        spec.invalidRate());
  }

  private long produce(EmbeddedKafka kafka, String topic, GeneratorSpec spec) {
    if (topics.add(topic)) {
      kafka.createTopic(topic, PARTITIONS);
    }
    try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), topic)) {
      return producer.send(spec);
    }
  }

  /**
   * Measures the steady state: the first Spark command after a build writes bin/medallion's class
   * data sharing archive, so it runs here, on a topic and lakehouse of its own.
   */
  private void warmUp(EmbeddedKafka kafka) throws IOException, InterruptedException {
    produce(kafka, WARMUP_TOPIC, GeneratorSpec.realistic(1, 1_000));
    new Lakehouse(
            home, work, work.resolve("warmup").toString(), kafka.bootstrapServers(), WARMUP_TOPIC)
        .run("bronze");
  }

  /**
   * Records runs of the peer, which prints no job time: the median wall time and the largest peak
   * RSS of its process tree.
   *
   * @return the median wall time
   */
  private double recordPeer(String step, List<TimedProcess.Result> runs, String key, long records) {
    double wallSeconds = medianWallSeconds(runs);
    long peakRssMb = peakRssMb(runs);
    results.put(key + "_wall_s", wallSeconds);
    results.put(key + "_peak_rss_mb", peakRssMb);
    rows.add(
        String.format(
            Locale.ROOT,
            "| %s | %,d records | median of %d | %,.0f records/s (wall) | %.1f s | %,d MB |",
            step,
            records,
            runs.size(),
            records / wallSeconds,
            wallSeconds,
            peakRssMb));
    return wallSeconds;
  }

  /** One timed run against one target: a lakehouse or a peer directory. */
  @FunctionalInterface
  private interface TimedRun<T> {
    TimedProcess.Result on(T target) throws IOException, InterruptedException;
  }

  /** Runs {@code run} once against each target, in order. */
  private static <T> List<TimedProcess.Result> runEach(List<T> targets, TimedRun<T> run)
      throws IOException, InterruptedException {
    List<TimedProcess.Result> runs = new ArrayList<>();
    for (T target : targets) {
      runs.add(run.on(target));
    }
    return runs;
  }

  /**
   * Records runs of one step, which must have read the same records: the medians of their job and
   * wall times and the largest peak RSS.
   *
   * @return the median wall time
   */
  private double record(String step, List<TimedProcess.Result> runs, String key, long records) {
    String layer = key.replaceFirst("^scale_", "").split("[ _]")[0];
    recordsRead.put(key, recordsIn(runs, layer)); // its medians compare like with like
    double jobSeconds =
        median(runs.stream().mapToDouble(r -> jobSeconds(r.line(layer + ":"))).toArray());
    double wallSeconds = medianWallSeconds(runs);
    long peakRssMb = peakRssMb(runs);
    results.put(key + "_wall_s", wallSeconds);
    results.put(key + "_job_s", jobSeconds);
    results.put(key + "_peak_rss_mb", peakRssMb);
    rows.add(
        String.format(
            Locale.ROOT,
            "| %s | %,d records | %s | %,.0f records/s (job %.1f s) | %.1f s | %,d MB |",
            step,
            records,
            runs.size() == 1 ? "1 run" : "median of " + runs.size(),
            records / jobSeconds,
            jobSeconds,
            wallSeconds,
            peakRssMb));
    return wallSeconds;
  }

  private static double medianWallSeconds(List<TimedProcess.Result> runs) {
    return median(runs.stream().mapToDouble(TimedProcess.Result::wallSeconds).toArray());
  }

  /** The largest peak RSS of the runs, in MB. */
  private static long peakRssMb(List<TimedProcess.Result> runs) {
    return runs.stream().mapToLong(TimedProcess.Result::peakRssKb).max().orElse(0) / 1024;
  }

  /**
   * The records a layer's runs read, from their summary lines ("silver: 1060030 records in, ...");
   * runs compared with each other must read the same.
   */
  static long recordsIn(List<TimedProcess.Result> runs, String layer) {
    List<Long> read = new ArrayList<>();
    for (TimedProcess.Result run : runs) {
      String summary = run.line(layer + ":");
      if (!summary.matches("^\\S+ \\d+ records in,.*")) {
        throw new IllegalStateException(
            layer + "'s run printed no summary line with its records in: '" + summary + "'");
      }
      read.add(Long.valueOf(summary.replaceFirst("^\\S+ (\\d+) records in,.*", "$1")));
    }
    read = read.stream().distinct().toList();
    if (read.size() != 1) {
      throw new IllegalStateException(
          layer + "'s runs of one step read different numbers of records: " + read);
    }
    return read.get(0);
  }

  /** The job's own seconds: the last field of its summary line ("..., 12.3 s"). */
  static double jobSeconds(String summary) {
    String[] words = summary.trim().split("\\s+");
    return words.length >= 2 ? Double.parseDouble(words[words.length - 2]) : Double.NaN;
  }

  private List<String> java(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx4g");
    // The same Spark flags bin/bench gave this JVM, without its heap size and properties.
    command.addAll(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> !a.startsWith("-Xmx") && !a.startsWith("-Dmedallion."))
            .toList());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** Reads every record once with a plain consumer; records per second. */
  static double consumeAll(String servers, String topic, long expected) {
    Properties props = new Properties();
    props.put("bootstrap.servers", servers);
    props.put("group.id", "bench-" + System.nanoTime());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", "5000");
    props.put("fetch.min.bytes", "1048576");
    long read = 0;
    long started = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
      while (read < expected && Instant.now().isBefore(deadline)) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        read += records.count();
      }
    }
    return read / ((System.nanoTime() - started) / 1e9);
  }

  /**
   * The performance issue's targets for this machine kind, each with what this run measured; a
   * target whose runs this run did not make is left out.
   */
  private String targets() {
    StringBuilder md =
        new StringBuilder("\n## Targets\n\n| target | measured | |\n|---|---|---|\n");
    if (results.containsKey("history_longest_days")) {
      String longest = results.get("history_longest_days") + "-day";
      String shortest = results.get("history_shortest_days") + "-day";
      for (String layer : LAYERS) {
        atMost(
            md,
            layer + "'s hourly run on the " + longest + " history / on the " + shortest + " (job)",
            number("history_" + layer + "_ratio"),
            1.25,
            "%.2fx");
      }
      String at = "history_" + results.get("history_longest_days") + "d_";
      atMost(
          md,
          "gold's hourly run / its full refresh, " + longest + " history (job)",
          number(at + "gold_hour_percent"),
          5,
          "%.1f%%");
      atMost(
          md,
          "typical hourly run, all three layers (`pipeline`, wall, " + longest + " history)",
          number(at + "pipeline_wall_s"),
          20,
          "%.1f s");
      atLeast(
          md,
          "whole flow against the peer, hourly run (wall, " + longest + " history)",
          number("history_speedup_vs_peer_hourly"),
          1.5,
          "%.2fx");
    }
    if (results.containsKey("records")) {
      String events = String.format(Locale.ROOT, "%,d events", results.get("events"));
      atLeast(
          md,
          "whole flow first runs against the straightforward pipeline (" + events + ", wall)",
          number("speedup_vs_baseline"),
          2,
          "%.2fx");
      atLeast(
          md,
          "whole flow first runs against the peer ("
              + events
              + ", wall: its one run against"
              + " medallion's three)",
          number("speedup_vs_peer"),
          1.5,
          "%.2fx");
      atMost(
          md,
          "Kafka -> all gold tables (" + events + ", first runs, job)",
          number("bronze_job_s") + number("silver_job_s") + number("gold_job_s"),
          45,
          "%.1f s");
      atLeast(
          md,
          "silver first run, 1 core -> 2 cores (" + events + ", job)",
          number("silver_2core_speedup"),
          1.6,
          "%.2fx");
      String prefix = results.containsKey("scale_silver_peak_rss_mb") ? "scale_" : "";
      double peak = 0;
      for (Map.Entry<String, Object> entry : results.entrySet()) {
        if (entry.getKey().startsWith(prefix)
            && entry.getKey().endsWith("_peak_rss_mb")
            && !entry.getKey().startsWith("baseline")
            && !entry.getKey().startsWith("peer")) {
          peak = Math.max(peak, ((Number) entry.getValue()).doubleValue());
        }
      }
      atMost(
          md,
          "peak RSS of any layer"
              + (prefix.isEmpty() ? " (this run's smaller table)" : " (the large table)"),
          peak,
          2_500,
          "%,.0f MB");
    }
    return md.toString();
  }

  /** 1 core against 2, and what that predicts for a cluster. */
  private String scaleOut() {
    StringBuilder md =
        new StringBuilder(
            "\n"
                + "## Scale-out\n\n"
                + "| layer | job on 1 core | job on 2 cores | speedup | 2-core efficiency |"
                + " predicted on 100 cores |\n"
                + "|---|---|---|---|---|---|\n");
    long records = ((Number) results.get("records")).longValue();
    for (String layer : LAYERS) {
      double one = number(layer + "_1core_job_s");
      double two = number(layer + "_job_s");
      double efficiency = one / two / 2;
      // Per-core rate on the largest run measured here, where fixed start-up costs weigh least.
      String scaled = "scale_" + layer + "_job_s";
      double perCore =
          (results.containsKey(scaled) ? number("scale_records") / number(scaled) : records / two)
              / 2;
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f s | %.1f s | %.2fx | %.0f%% | %,.0f records/s |%n",
              layer,
              one,
              two,
              one / two,
              100 * Math.min(1, efficiency),
              perCore * 100 * Math.min(1, efficiency)));
    }
    md.append(
            "\n"
                + "The prediction multiplies the per-core rate of the largest run above by 100"
                + " cores and by the efficiency measured ")
        .append(
            "from 1 to 2 cores; it assumes at least 100 Kafka partitions (or"
                + " `kafka.min.partitions`) and bronze files, ")
        .append(
            "so every core has a task, and batches large enough that start-up costs stay small.\n");
    return md.toString();
  }

  private double number(String key) {
    return ((Number) results.get(key)).doubleValue();
  }

  private static void atLeast(
      StringBuilder md, String target, double measured, double goal, String format) {
    String status =
        String.format(
            Locale.ROOT,
            "%s: %.0f%% of the target",
            measured >= goal ? "met" : "missed",
            100 * measured / goal);
    md.append("| ")
        .append(target)
        .append(" | ")
        .append(String.format(Locale.ROOT, format, measured))
        .append(" | ")
        .append(status)
        .append(" |\n");
  }

  private static void atMost(
      StringBuilder md, String target, double measured, double goal, String format) {
    String status =
        String.format(
            Locale.ROOT,
            "%s: %.2fx the target",
            measured <= goal ? "met" : "missed",
            measured / goal);
    md.append("| ")
        .append(target)
        .append(" | ")
        .append(String.format(Locale.ROOT, format, measured))
        .append(" | ")
        .append(status)
        .append(" |\n");
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String command(int events, int scale, List<Integer> history, int perDay) {
    return "bin/bench --events "
        + events
        + (scale > 0 ? " --scale " + scale : "")
        + (history.isEmpty()
            ? ""
            : " --history "
                + String.join(",", history.stream().map(String::valueOf).toList())
                + " --events-per-day "
                + perDay);
  }

  /** Who measured a section: the command, the build, the machine and the day. */
  private String measuredBy(String command, Report report) {
    return "Measured by `"
        + command
        + "` (the harness in `bench/`) at "
        + report.commitLabel()
        + " in one run on one machine: "
        + results.get("cores")
        + " cores, Java "
        + System.getProperty("java.version")
        + ", "
        + Instant.now().toString().substring(0, 10)
        + ".";
  }

  /** The headline runs' table, the comparison with the baseline and the peer, and targets. */
  private String headlineReport(String command, Report report) {
    StringBuilder md = new StringBuilder(measuredBy(command, report));
    md.append(" The Kafka broker runs in the harness JVM on the same machine; every ")
        .append(
            "layer and the baseline run as their own processes, so wall times include process and"
                + " Spark start. ")
        .append("Each layer's `job` time is what its summary line reports. First runs and typical")
        .append(" (latest hour) runs are the medians of ")
        .append(REPEATS)
        .append(" lakehouses over the same records (peak RSS: the largest of them).\n\n")
        .append(
            "| step | input | runs | throughput | wall | peak RSS |\n|---|---|---|---|---|---|\n");
    rows.forEach(row -> md.append(row).append('\n'));
    md.append(
        String.format(
            Locale.ROOT,
            "%nmedallion bronze + silver + gold first runs: %.1f s wall in total; the baseline:"
                + " %.1f s (%.2fx). ",
            results.get("medallion_total_wall_s"),
            results.get("baseline_wall_s"),
            results.get("speedup_vs_baseline")));
    md.append(
            "The baseline computes only `hourly_revenue`, with approximate unique users and a"
                + " watermark that ")
        .append(
            "drops late duplicates' state; medallion builds bronze, silver (validated, deduplicated"
                + " over all history, ")
        .append("enriched), the quarantine, six exact gold tables and their states.\n\n")
        .append(
            "The peer is the same flow as an open-source Spark Declarative Pipeline (`bench/sdp`,"
                + " pyspark's `spark-pipelines`): ")
        .append(
            "bronze and silver streaming tables (silver reads the topic itself, deduplicates by"
                + " `event_id` in streaming state and drops invalid events, ")
        .append(
            "where medallion quarantines them) and medallion's six gold tables as materialized"
                + " views of its own SQL files (`gold/tables`), recomputed in full each run, as"
                + " open-source Spark refreshes a materialized view; its wall"
                + " time includes ")
        .append("the Spark Connect server it starts, its peak RSS the whole process tree.\n\n")
        .append("Machine-readable: `benchmarks.json`. Reproduce: `")
        .append(command)
        .append("`.\n");
    return md.toString();
  }
}
