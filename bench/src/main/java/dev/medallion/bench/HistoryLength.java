package dev.medallion.bench;

import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.TimeShape;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same hourly increment on histories of different lengths at the same events per day, in a
 * shop's time shape ({@link TimeShape#DAILY}: an hour touches a small share of the users): each
 * layer's job time and what its file scans read, the medians of {@value #HOURS} consecutive hours.
 * An incremental pipeline's hourly run costs the same on the longest history as on the shortest.
 */
final class HistoryLength {
  static final int HOURS = 3;
  private static final long HISTORY_SEED = 21;
  private static final double DUPLICATES = 0.05;
  private static final double LATE = 0.02;
  private static final double INVALID = 0.01;

  private final Path home;
  private final Path work;
  private final EmbeddedKafka kafka;
  private final int eventsPerDay;

  /** A layer's hourly runs on one history: job seconds, rows and files its scans read. */
  private record Hourly(double[] jobSeconds, double[] rowsRead, double[] filesRead) {
    String cell() {
      return String.format(
          Locale.ROOT,
          "%.1f s; %,.0f rows, %,.0f files",
          Benchmark.median(jobSeconds),
          Benchmark.median(rowsRead),
          Benchmark.median(filesRead));
    }
  }

  HistoryLength(Path home, Path work, EmbeddedKafka kafka, int eventsPerDay) {
    this.home = home;
    this.work = work;
    this.kafka = kafka;
    this.eventsPerDay = eventsPerDay;
  }

  /**
   * Measures every history in {@code days} and puts each layer's ratio of the longest history's
   * median job time to the shortest's in {@code results}.
   *
   * @return the report's section
   */
  String measure(List<Integer> days, Map<String, Object> results)
      throws IOException, InterruptedException {
    Map<Integer, Map<String, Hourly>> measured = new LinkedHashMap<>();
    for (int length : days) {
      measured.put(length, history(length));
    }
    int shortest = days.get(0);
    int longest = days.get(days.size() - 1);
    StringBuilder md =
        new StringBuilder("\n## History length\n\n")
            .append(
                String.format(
                    Locale.ROOT,
                    "The same hour's new events (%,d, one hour of %,d a day, %.0f%% duplicates,"
                        + " %.0f%% late) after histories of %s days of %,d events a day, in a"
                        + " shop's time shape (`TimeShape.DAILY`: a tenth of 100,000 users active"
                        + " a day, 600 an hour, sessions of minutes). Each cell: the median of %d"
                        + " consecutive hourly runs' job time, and the rows and files their file"
                        + " scans read (Spark's event log; the Delta log's files included).%n%n",
                    eventsPerDay / 24,
                    eventsPerDay,
                    DUPLICATES * 100,
                    LATE * 100,
                    days.toString().replaceAll("[\\[\\]]", ""),
                    eventsPerDay,
                    HOURS));
    md.append("| layer |");
    days.forEach(d -> md.append(' ').append(d).append(" days |"));
    md.append(" ").append(longest).append(" / ").append(shortest).append(" days (job) |\n|---|");
    days.forEach(d -> md.append("---|"));
    md.append("---|\n");
    for (String layer : Benchmark.LAYERS) {
      md.append("| ").append(layer).append(" |");
      for (int length : days) {
        Hourly hourly = measured.get(length).get(layer);
        md.append(' ').append(hourly.cell()).append(" |");
        results.put(
            "history_" + length + "d_" + layer + "_job_s", Benchmark.median(hourly.jobSeconds()));
        results.put(
            "history_" + length + "d_" + layer + "_rows_read", Benchmark.median(hourly.rowsRead()));
        results.put(
            "history_" + length + "d_" + layer + "_files_read",
            Benchmark.median(hourly.filesRead()));
      }
      double ratio =
          Benchmark.median(measured.get(longest).get(layer).jobSeconds())
              / Benchmark.median(measured.get(shortest).get(layer).jobSeconds());
      results.put("history_" + layer + "_ratio", ratio);
      md.append(String.format(Locale.ROOT, " %.2fx |%n", ratio));
    }
    return md.toString();
  }

  /** A lakehouse brought up to date with {@code length} days, then {@link #HOURS} hours more. */
  private Map<String, Hourly> history(int length) throws IOException, InterruptedException {
    String topic = "history-" + length;
    kafka.createTopic(topic, Benchmark.PARTITIONS);
    Instant start = GeneratorSpec.DEFAULT_START;
    produce(
        topic,
        new GeneratorSpec(
            HISTORY_SEED,
            0,
            length * eventsPerDay,
            start,
            length * 24,
            DUPLICATES,
            LATE,
            INVALID,
            TimeShape.DAILY));
    Lakehouse lake =
        new Lakehouse(
            home,
            work,
            work.resolve(topic).toString(),
            kafka.bootstrapServers(),
            topic,
            "spark.eventLog.compress=false");
    for (String layer : Benchmark.LAYERS) {
      summary(lake.run(layer), layer);
    }
    Map<String, List<double[]>> runs = new LinkedHashMap<>();
    for (int hour = 0; hour < HOURS; hour++) {
      produce(
          topic,
          new GeneratorSpec(
              HISTORY_SEED + 1 + hour,
              0,
              eventsPerDay / 24,
              start.plus(Duration.ofDays(length)).plus(Duration.ofHours(hour)),
              1,
              DUPLICATES,
              LATE,
              INVALID,
              TimeShape.DAILY));
      for (String layer : Benchmark.LAYERS) {
        Path log = Files.createDirectories(work.resolve("events-" + topic + "-" + hour + layer));
        TimedProcess.Result run =
            lake.run(
                layer,
                "--set",
                "spark.eventLog.enabled=true",
                "--set",
                "spark.eventLog.dir=" + log.toUri());
        ScanMetrics read = ScanMetrics.of(log);
        runs.computeIfAbsent(layer, l -> new ArrayList<>())
            .add(
                new double[] {
                  Benchmark.jobSeconds(summary(run, layer)), read.rowsRead(), read.filesRead()
                });
      }
    }
    Map<String, Hourly> hourly = new LinkedHashMap<>();
    runs.forEach(
        (layer, each) ->
            hourly.put(
                layer,
                new Hourly(
                    each.stream().mapToDouble(r -> r[0]).toArray(),
                    each.stream().mapToDouble(r -> r[1]).toArray(),
                    each.stream().mapToDouble(r -> r[2]).toArray())));
    return hourly;
  }

  /** The layer's summary line; a run without one failed, and the harness stops with its output. */
  private static String summary(TimedProcess.Result run, String layer) {
    String line = run.line(layer + ":");
    if (line.isEmpty()) {
      List<String> output = run.output();
      throw new IllegalStateException(
          layer
              + " printed no summary line; its output ended with:\n"
              + String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size())));
    }
    return line;
  }

  private void produce(String topic, GeneratorSpec spec) {
    try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), topic)) {
      producer.send(spec);
    }
  }
}
