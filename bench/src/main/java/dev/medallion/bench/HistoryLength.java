package dev.medallion.bench;

import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.TimeShape;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;

/**
 * The same hourly increment on histories of different lengths at the same events per day, in a
 * shop's time shape ({@link TimeShape#DAILY}: an hour touches a small share of the users): each
 * layer's job time and what its file scans read, the medians of {@value #HOURS} consecutive hours;
 * gold's full refresh on each history; {@value #HOURS} more hours run by {@code pipeline} (one JVM,
 * wall). On the longest history the baseline and the peer read the same records and run the same
 * last hours. An incremental pipeline's hourly run costs the same on the longest history as on the
 * shortest.
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
  private final BiFunction<String, String, List<String>> baseline;

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

  /** What one history measured; the peers' walls only on the longest. */
  private static final class Measured {
    final Map<String, Hourly> layers = new LinkedHashMap<>();
    double firstRunsWall;
    double goldFullRefreshJob;
    final List<Double> pipelineWall = new ArrayList<>();
    double peerFirstWall;
    double baselineFirstWall;
    final List<Double> peerHourlyWall = new ArrayList<>();
    final List<Double> baselineHourlyWall = new ArrayList<>();

    /** Gold's median hourly job time as a percentage of its full refresh's. */
    double goldHourPercent() {
      return 100 * Benchmark.median(layers.get("gold").jobSeconds()) / goldFullRefreshJob;
    }
  }

  /**
   * @param baseline the baseline pipeline's command for a topic and an output directory
   */
  HistoryLength(
      Path home,
      Path work,
      EmbeddedKafka kafka,
      int eventsPerDay,
      BiFunction<String, String, List<String>> baseline) {
    this.home = home;
    this.work = work;
    this.kafka = kafka;
    this.eventsPerDay = eventsPerDay;
    this.baseline = baseline;
  }

  /**
   * Measures every history in {@code days} and puts what the targets need in {@code results}: each
   * layer's ratio of the longest history's median job time to the shortest's, gold's hourly run
   * against its full refresh, {@code pipeline}'s hourly wall time and the peers' on the longest.
   *
   * @return the report's section
   */
  String measure(List<Integer> days, Map<String, Object> results)
      throws IOException, InterruptedException {
    int shortest = days.get(0);
    int longest = days.get(days.size() - 1);
    Map<Integer, Measured> measured = new LinkedHashMap<>();
    for (int length : days) {
      measured.put(length, history(length, length == longest));
    }
    StringBuilder md =
        new StringBuilder("\n## History length\n\n")
            .append(
                String.format(
                    Locale.ROOT,
                    "The same hour's new events (%,d, one hour of %,d a day, %.0f%% duplicates,"
                        + " %.0f%% late) after histories of %s days of %,d events a day, in a"
                        + " shop's time shape (`TimeShape.DAILY`: a tenth of 100,000 users active"
                        + " a day, 600 an hour, sessions of minutes). Each layer's cell: the median"
                        + " of %d consecutive hourly runs' job time, and the rows and files their"
                        + " file scans read (Spark's event log; the Delta log's files included)."
                        + " Then gold's full refresh of the same lakehouse (job), and %d more"
                        + " hours, each run by `pipeline` (the three layers in one JVM, wall:"
                        + " the typical hourly run).%n%n",
                    eventsPerDay / 24,
                    eventsPerDay,
                    DUPLICATES * 100,
                    LATE * 100,
                    days.toString().replaceAll("[\\[\\]]", ""),
                    eventsPerDay,
                    HOURS,
                    HOURS));
    md.append("| layer |");
    days.forEach(d -> md.append(' ').append(d).append(d == 1 ? " day |" : " days |"));
    md.append(" ").append(longest).append(" / ").append(shortest).append(" days |\n|---|");
    days.forEach(d -> md.append("---|"));
    md.append("---|\n");
    for (String layer : Benchmark.LAYERS) {
      md.append("| ").append(layer).append(" (job) |");
      for (int length : days) {
        Hourly hourly = measured.get(length).layers.get(layer);
        md.append(' ').append(hourly.cell()).append(" |");
        String key = "history_" + length + "d_" + layer;
        results.put(key + "_job_s", Benchmark.median(hourly.jobSeconds()));
        results.put(key + "_rows_read", Benchmark.median(hourly.rowsRead()));
        results.put(key + "_files_read", Benchmark.median(hourly.filesRead()));
      }
      double ratio =
          Benchmark.median(measured.get(longest).layers.get(layer).jobSeconds())
              / Benchmark.median(measured.get(shortest).layers.get(layer).jobSeconds());
      results.put("history_" + layer + "_ratio", ratio);
      md.append(String.format(Locale.ROOT, " %.2fx |%n", ratio));
    }
    row(
        md,
        results,
        measured,
        days,
        "gold --full-refresh (job)",
        "gold_full_refresh_job_s",
        " %.1f s |",
        m -> m.goldFullRefreshJob);
    row(
        md,
        results,
        measured,
        days,
        "gold's hourly run / its full refresh",
        "gold_hour_percent",
        " %.1f%% |",
        Measured::goldHourPercent);
    row(
        md,
        results,
        measured,
        days,
        "pipeline, all three layers (wall)",
        "pipeline_wall_s",
        " %.1f s |",
        m -> median(m.pipelineWall));
    results.put("history_shortest_days", shortest);
    results.put("history_longest_days", longest);
    md.append(peers(measured.get(longest), longest, results));
    return md.toString();
  }

  /**
   * One row of the history table: a figure per history, each as {@code cell} formats it, and the
   * longest's over the shortest's.
   */
  private static void row(
      StringBuilder md,
      Map<String, Object> results,
      Map<Integer, Measured> measured,
      List<Integer> days,
      String name,
      String key,
      String cell,
      ToDoubleFunction<Measured> figure) {
    md.append("| ").append(name).append(" |");
    for (int length : days) {
      double value = figure.applyAsDouble(measured.get(length));
      results.put("history_" + length + "d_" + key, value);
      md.append(String.format(Locale.ROOT, cell, value));
    }
    double ratio =
        figure.applyAsDouble(measured.get(days.get(days.size() - 1)))
            / figure.applyAsDouble(measured.get(days.get(0)));
    md.append(String.format(Locale.ROOT, " %.2fx |%n", ratio));
  }

  /** The baseline and the peer against medallion on the longest history. */
  private static String peers(Measured m, int length, Map<String, Object> results) {
    double pipeline = median(m.pipelineWall);
    double peer = median(m.peerHourlyWall);
    double base = median(m.baselineHourlyWall);
    results.put("history_medallion_first_wall_s", m.firstRunsWall);
    results.put("history_peer_first_wall_s", m.peerFirstWall);
    results.put("history_baseline_first_wall_s", m.baselineFirstWall);
    results.put("history_peer_hourly_wall_s", peer);
    results.put("history_baseline_hourly_wall_s", base);
    results.put("history_speedup_vs_peer_hourly", peer / pipeline);
    results.put("history_speedup_vs_baseline_hourly", base / pipeline);
    return String.format(
        Locale.ROOT,
        "%nOn the %d-day history, the baseline and the peer read the same records from a topic of"
            + " their own (the history and the %d layer-by-layer hours: their first run holds %d"
            + " hours more than medallion's) and then the same %d hours as `pipeline`, each"
            + " hour as it comes (wall):%n%n"
            + "| run | medallion | peer | baseline |%n|---|---|---|---|%n"
            + "| first run over the history | %.1f s (three commands) | %.1f s | %.1f s |%n"
            + "| hourly run, median of %d | %.1f s (`pipeline`) | %.1f s (%.2fx medallion's) |"
            + " %.1f s (%.2fx medallion's) |%n",
        length,
        HOURS,
        HOURS,
        HOURS,
        m.firstRunsWall,
        m.peerFirstWall,
        m.baselineFirstWall,
        HOURS,
        pipeline,
        peer,
        peer / pipeline,
        base,
        base / pipeline);
  }

  /**
   * A lakehouse brought up to date with {@code length} days, then {@link #HOURS} hours run layer by
   * layer, gold's full refresh, and {@link #HOURS} more hours run by {@code pipeline}; with {@code
   * peers}, the baseline and the peer too.
   */
  private Measured history(int length, boolean peers) throws IOException, InterruptedException {
    String topic = "history-" + length;
    List<String> topics = new ArrayList<>(List.of(topic));
    if (peers) {
      topics.add(topic + "-peers");
    }
    for (String each : topics) {
      kafka.createTopic(each, Benchmark.PARTITIONS);
      produce(
          each,
          new GeneratorSpec(
              HISTORY_SEED,
              0,
              length * eventsPerDay,
              GeneratorSpec.DEFAULT_START,
              length * 24,
              DUPLICATES,
              LATE,
              INVALID,
              TimeShape.DAILY));
    }
    Lakehouse lake =
        new Lakehouse(
            home,
            work,
            work.resolve(topic).toString(),
            kafka.bootstrapServers(),
            topic,
            "spark.eventLog.compress=false");
    Measured measured = new Measured();
    for (String layer : Benchmark.LAYERS) {
      measured.firstRunsWall += summary(lake.run(layer), layer).wallSeconds();
    }
    Map<String, List<double[]>> runs = new LinkedHashMap<>();
    for (int hour = 0; hour < HOURS; hour++) {
      for (String each : topics) {
        produce(each, hour(length, hour));
      }
      for (String layer : Benchmark.LAYERS) {
        Path log = Files.createDirectories(work.resolve("events-" + topic + "-" + hour + layer));
        TimedProcess.Result run =
            summary(
                lake.run(
                    layer,
                    "--set",
                    "spark.eventLog.enabled=true",
                    "--set",
                    "spark.eventLog.dir=" + log.toUri()),
                layer);
        ScanMetrics read = ScanMetrics.of(log);
        runs.computeIfAbsent(layer, l -> new ArrayList<>())
            .add(
                new double[] {
                  Benchmark.jobSeconds(run.line(layer + ":")), read.rowsRead(), read.filesRead()
                });
      }
    }
    runs.forEach(
        (layer, each) ->
            measured.layers.put(
                layer,
                new Hourly(
                    each.stream().mapToDouble(r -> r[0]).toArray(),
                    each.stream().mapToDouble(r -> r[1]).toArray(),
                    each.stream().mapToDouble(r -> r[2]).toArray())));
    measured.goldFullRefreshJob =
        Benchmark.jobSeconds(summary(lake.run("gold", "--full-refresh"), "gold").line("gold:"));

    DeclarativePeer peer = null;
    List<String> base = null;
    if (peers) {
      String peersTopic = topics.get(1);
      peer =
          new DeclarativePeer(home, work.resolve(peersTopic), kafka.bootstrapServers(), peersTopic);
      base = baseline.apply(peersTopic, work.resolve(peersTopic + "-baseline").toString());
      measured.peerFirstWall = peer.run(work).wallSeconds();
      measured.baselineFirstWall = TimedProcess.run(base, work).wallSeconds();
    }
    for (int hour = HOURS; hour < 2 * HOURS; hour++) {
      for (String each : topics) {
        produce(each, hour(length, hour));
      }
      TimedProcess.Result run = lake.run("pipeline");
      Benchmark.LAYERS.forEach(layer -> summary(run, layer));
      measured.pipelineWall.add(run.wallSeconds());
      if (peers) {
        measured.peerHourlyWall.add(peer.run(work).wallSeconds());
        measured.baselineHourlyWall.add(TimedProcess.run(base, work).wallSeconds());
      }
    }
    return measured;
  }

  /** Hour {@code hour} after a history of {@code length} days: its events, seeds of its own. */
  private GeneratorSpec hour(int length, int hour) {
    return new GeneratorSpec(
        HISTORY_SEED + 1 + hour,
        0,
        eventsPerDay / 24,
        GeneratorSpec.DEFAULT_START.plus(Duration.ofDays(length)).plus(Duration.ofHours(hour)),
        1,
        DUPLICATES,
        LATE,
        INVALID,
        TimeShape.DAILY);
  }

  private static double median(List<Double> values) {
    return Benchmark.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * The run, once it printed the layer's summary line; a run without one failed, and the harness
   * stops with its output.
   */
  private static TimedProcess.Result summary(TimedProcess.Result run, String layer) {
    if (run.line(layer + ":").isEmpty()) {
      List<String> output = run.output();
      throw new IllegalStateException(
          layer
              + " printed no summary line; its output ended with:\n"
              + String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size())));
    }
    return run;
  }

  private void produce(String topic, GeneratorSpec spec) {
    try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), topic)) {
      producer.send(spec);
    }
  }
}
