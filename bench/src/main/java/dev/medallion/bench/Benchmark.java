package dev.medallion.bench;

import dev.medallion.common.events.EventProducer;
import dev.medallion.common.events.GeneratorSpec;
import dev.medallion.common.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bin/bench [--events N]}: one run on one machine of Kafka's own consumer rate (the
 * limit), the straightforward baseline pipeline and medallion's three layers (first run, no-op
 * runs, a 10% increment), each as its own process with wall time and peak RSS. Writes
 * {@code BENCHMARKS.md} and {@code benchmarks.json} in the repository root.
 */
public final class Benchmark {
  static final String TOPIC = "events";
  static final int PARTITIONS = 4;
  static final int REPEATS = 3;
  static final String WARMUP_TOPIC = "warmup";

  private final Path home;
  private final Path work;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String> rows = new ArrayList<>();

  private Benchmark(Path home, Path work) {
    this.home = home;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int events = args.length >= 2 && args[0].equals("--events") ? Integer.parseInt(args[1]) : 1_000_000;
    Path home = Path.of(System.getProperty("medallion.home", ".")).toAbsolutePath().normalize();
    Path work = Files.createTempDirectory("medallion-bench-");
    try {
      new Benchmark(home, work).run(events);
    } finally {
      try (java.util.stream.Stream<Path> paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private void run(int events) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work)) {
      kafka.createTopic(TOPIC, PARTITIONS);
      GeneratorSpec spec = GeneratorSpec.realistic(7, events);
      long produced;
      try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), TOPIC)) {
        produced = producer.send(spec);
      }
      kafka.createTopic(WARMUP_TOPIC, 1);
      warmUp(kafka.bootstrapServers());
      results.put("events", events);
      results.put("records", produced);
      results.put("cores", Runtime.getRuntime().availableProcessors());

      double[] consumer = new double[REPEATS];
      for (int i = 0; i < REPEATS; i++) {
        consumer[i] = consumeAll(kafka.bootstrapServers(), produced);
      }
      double limit = median(consumer);
      results.put("kafka_consumer_records_per_s", Math.round(limit));
      rows.add(String.format(Locale.ROOT, "| Kafka's own consumer (the limit) | %,d records | median of %d | %,.0f records/s | | |", produced, REPEATS, limit));

      String root = work.resolve("lakehouse").toString();
      String servers = kafka.bootstrapServers();
      double total = 0;
      for (String layer : List.of("bronze", "silver", "gold")) {
        TimedProcess.Result first = layer(layer, root, servers);
        total += first.wallSeconds();
        record(layer + " first run", first, layer, produced);
        double[] idle = new double[REPEATS];
        long idleRss = 0;
        for (int i = 0; i < REPEATS; i++) {
          TimedProcess.Result noop = layer(layer, root, servers);
          idle[i] = noop.wallSeconds();
          idleRss = Math.max(idleRss, noop.peakRssKb());
        }
        results.put(layer + "_noop_wall_s", median(idle));
        rows.add(String.format(Locale.ROOT, "| %s no-op run (nothing new) | 0 | median of %d | | %.1f s | %,d MB |", layer, REPEATS, median(idle), idleRss / 1024));
      }
      results.put("medallion_total_wall_s", total);

      // The baseline reads the same records as the first runs, before the increment arrives.
      TimedProcess.Result baseline = TimedProcess.run(java(BaselinePipeline.class, servers, TOPIC, work.resolve("baseline").toString()), work);
      results.put("baseline_wall_s", baseline.wallSeconds());
      results.put("baseline_peak_rss_mb", baseline.peakRssKb() / 1024);
      rows.add(String.format(Locale.ROOT, "| baseline: the source pipeline, Kafka -> hourly revenue (complete mode) | %,d records | 1 run | %,.0f records/s | %.1f s | %,d MB |",
          produced, produced / baseline.wallSeconds(), baseline.wallSeconds(), baseline.peakRssKb() / 1024));
      results.put("speedup_vs_baseline", baseline.wallSeconds() / total);

      long more;
      try (EventProducer producer = new EventProducer(servers, TOPIC)) {
        more = producer.send(spec.next(events / 10));
      }
      for (String layer : List.of("bronze", "silver", "gold")) {
        record(layer + " +10% increment", layer(layer, root, servers), layer + "_increment", more);
      }

    }
    write(events);
  }

  /**
   * Measures the steady state: the first Spark command after a build writes bin/medallion's
   * class data sharing archive, so it runs here, on a topic and lakehouse of its own.
   */
  private void warmUp(String servers) throws IOException, InterruptedException {
    String topic = WARMUP_TOPIC;
    try (EventProducer producer = new EventProducer(servers, topic)) {
      producer.send(GeneratorSpec.realistic(1, 1_000));
    }
    TimedProcess.run(
        List.of(home.resolve("bin/medallion").toString(), "bronze", "--set", "lakehouse.root=" + work.resolve("warmup"),
            "--set", "kafka.bootstrap.servers=" + servers, "--set", "kafka.topics=" + topic),
        work);
  }

  private TimedProcess.Result layer(String layer, String root, String servers) throws IOException, InterruptedException {
    return TimedProcess.run(
        List.of(home.resolve("bin/medallion").toString(), layer, "--set", "lakehouse.root=" + root, "--set", "kafka.bootstrap.servers=" + servers), work);
  }

  private void record(String step, TimedProcess.Result result, String key, long records) {
    String summary = result.line(key.split("[ _]")[0] + ":");
    double jobSeconds = jobSeconds(summary);
    results.put(key.replace(' ', '_') + "_wall_s", result.wallSeconds());
    results.put(key.replace(' ', '_') + "_job_s", jobSeconds);
    results.put(key.replace(' ', '_') + "_peak_rss_mb", result.peakRssKb() / 1024);
    rows.add(String.format(Locale.ROOT, "| %s | %,d records | 1 run | %,.0f records/s (job %.1f s) | %.1f s | %,d MB |",
        step, records, records / jobSeconds, jobSeconds, result.wallSeconds(), result.peakRssKb() / 1024));
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
  static double consumeAll(String servers, long expected) {
    Properties props = new Properties();
    props.put("bootstrap.servers", servers);
    props.put("group.id", "bench-" + System.nanoTime());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", "5000");
    props.put("fetch.min.bytes", "1048576");
    long read = 0;
    long started = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
      while (read < expected && Instant.now().isBefore(deadline)) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        read += records.count();
      }
    }
    return read / ((System.nanoTime() - started) / 1e9);
  }

  /** The performance targets of this machine kind, each with what this run measured. */
  private String targets() {
    long records = ((Number) results.get("records")).longValue();
    StringBuilder md = new StringBuilder("\n## Targets\n\n| target | measured | |\n|---|---|---|\n");
    atLeast(md, "bronze >= 150,000 records/s (job)", records / number("bronze_job_s"), 150_000, "%,.0f records/s");
    atLeast(md, "silver >= 100,000 rows/s (job)", records / number("silver_job_s"), 100_000, "%,.0f rows/s");
    atMost(md, "Kafka -> all gold tables <= 30 s of job time", number("bronze_job_s") + number("silver_job_s") + number("gold_job_s"), 30, "%.1f s");
    atLeast(md, "at least 4x faster than the baseline (wall)", number("speedup_vs_baseline"), 4, "%.2fx");
    for (String layer : List.of("bronze", "silver", "gold")) {
      atMost(md, layer + " no-op run <= 8 s wall", number(layer + "_noop_wall_s"), 8, "%.1f s");
    }
    for (String layer : List.of("bronze", "silver", "gold")) {
      atMost(md, layer + " +10% increment <= 10 s wall", number(layer + "_increment_wall_s"), 10, "%.1f s");
    }
    double peak = 0;
    for (Map.Entry<String, Object> entry : results.entrySet()) {
      if (entry.getKey().endsWith("_peak_rss_mb") && !entry.getKey().startsWith("baseline")) {
        peak = Math.max(peak, ((Number) entry.getValue()).doubleValue());
      }
    }
    atMost(md, "peak RSS of any layer <= 2,500 MB (the target is at 10M events; this run's N)", peak, 2_500, "%,.0f MB");
    return md.toString();
  }

  private double number(String key) {
    return ((Number) results.get(key)).doubleValue();
  }

  private static void atLeast(StringBuilder md, String target, double measured, double goal, String format) {
    String status = measured >= goal ? "met" : String.format(Locale.ROOT, "missed: %.0f%% of the target", 100 * measured / goal);
    md.append("| ").append(target).append(" | ").append(String.format(Locale.ROOT, format, measured)).append(" | ").append(status).append(" |\n");
  }

  private static void atMost(StringBuilder md, String target, double measured, double goal, String format) {
    String status = measured <= goal ? "met" : String.format(Locale.ROOT, "missed: %.1fx the target", measured / goal);
    md.append("| ").append(target).append(" | ").append(String.format(Locale.ROOT, format, measured)).append(" | ").append(status).append(" |\n");
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private void write(int events) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n")
        .append("Measured by `bin/bench --events ").append(events).append("` (the harness in `bench/`) in one run on one machine: ")
        .append(results.get("cores")).append(" cores, Java ").append(System.getProperty("java.version")).append(", ")
        .append(Instant.now().toString(), 0, 10).append(". The Kafka broker runs in the harness JVM on the same machine; every ")
        .append("layer and the baseline run as their own processes, so wall times include process and Spark start. ")
        .append("Each layer's `job` time is what its summary line reports.\n\n")
        .append("| step | input | runs | throughput | wall | peak RSS |\n|---|---|---|---|---|---|\n");
    rows.forEach(row -> md.append(row).append('\n'));
    md.append(String.format(Locale.ROOT, "%nmedallion bronze + silver + gold first runs: %.1f s wall in total; the baseline: %.1f s (%.2fx). ",
        results.get("medallion_total_wall_s"), results.get("baseline_wall_s"), results.get("speedup_vs_baseline")));
    md.append("The baseline computes only `hourly_revenue`, with approximate unique users and a watermark that ")
        .append("drops late duplicates' state; medallion builds bronze, silver (validated, deduplicated over all history, ")
        .append("enriched), the quarantine and three exact gold tables.\n\n")
        .append("Machine-readable: `benchmarks.json`. Reproduce: `bin/bench --events ").append(events).append("`.\n");
    md.append(targets());
    Path analysis = home.resolve("bench/analysis.md");
    if (Files.exists(analysis)) {
      md.append('\n').append(Files.readString(analysis, StandardCharsets.UTF_8));
    }
    Files.writeString(home.resolve("BENCHMARKS.md"), md.toString(), StandardCharsets.UTF_8);
    StringBuilder json = new StringBuilder("{\n");
    List<String> entries = new ArrayList<>();
    results.forEach((key, value) -> entries.add("  \"" + key + "\": " + (value instanceof Number ? value : "\"" + value + "\"")));
    json.append(String.join(",\n", entries)).append("\n}\n");
    Files.writeString(home.resolve("benchmarks.json"), json.toString(), StandardCharsets.UTF_8);
    System.out.print(md);
  }
}
