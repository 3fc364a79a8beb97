package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import dev.medallion.sample.events.Event;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.RecordKind;
import dev.medallion.silver.Quarantine;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.chaos.KillPoint;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer and command SIGKILLed at named points of its writes (before and after checkpoint
 * files, between the commits of one batch, in full refreshes, replay and maintenance), each crash
 * followed by the reruns the README's runbook gives, and then the invariants: bronze holds each
 * Kafka offset once, silver each valid event once, the quarantine each invalid record once, gold
 * equals an aggregation of the generator's ground truth, and reconciliation balances.
 *
 * <p>One lakehouse for the whole suite, so the state each crash leaves is the next one's start. CI
 * goes through the points once, leaving out a few that are close to others; {@code
 * -Dchaos.all=true} adds those, and {@code -Dchaos.rounds=N} (what {@code bin/chaos} sets) goes
 * through all of them N times, in a shuffled order after the first round.
 */
class KillPointsIT extends PipelineIT {
  private static final String TOPIC = "chaos";
  private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(4);
  private static final String COMMIT = "/_delta_log/\\d{20}\\.json";

  private final List<GeneratedRecord> produced = new ArrayList<>();
  private GeneratorSpec spec =
      new GeneratorSpec(97, 0, 300, GeneratorSpec.DEFAULT_START, 30, 0.08, 0.05, 0.08);
  private int futureToleranceHours = 24;
  private int futureEvents;
  private int kills;

  /** What is brought up to date before the killed command runs. */
  private enum Upstream {
    NOTHING,
    BRONZE,
    SILVER,
    GOLD
  }

  private record Scenario(
      String name,
      Upstream upstream,
      List<String> command,
      String killAt,
      String holdAt,
      List<String> recovery,
      boolean inCi) {}

  @TestFactory
  Stream<DynamicTest> aRunKilledAtAnyPointIsCompletedByItsRerun() {
    kafka.createTopic(TOPIC, 2);
    int rounds = Integer.getInteger("chaos.rounds", 1);
    boolean every = Boolean.getBoolean("chaos.all") || rounds > 1;
    List<Scenario> scenarios = scenarios().stream().filter(s -> every || s.inCi()).toList();
    Random order = new Random(Long.getLong("chaos.seed", 1L));
    return IntStream.range(0, rounds)
        .boxed()
        .flatMap(
            round -> {
              List<Scenario> list = new ArrayList<>(scenarios);
              if (round > 0) {
                // The first bronze point needs a new checkpoint: it runs once.
                list.remove(0);
                Collections.shuffle(list, order);
              }
              return list.stream()
                  .map(s -> dynamicTest("round " + round + ": " + s.name(), () -> crash(s)));
            });
  }

  private static List<Scenario> scenarios() {
    String bronze = ".*/bronze/events" + COMMIT;
    String silver = ".*/silver/events" + COMMIT;
    String quarantine = ".*/silver/quarantine" + COMMIT;
    String gold = ".*/gold/[a-z_]+" + COMMIT;
    // The run ledger: a run appends its row when it ends.
    String runs = ".*/_ops/runs" + COMMIT;
    String staged = ".*/_staging/silver/";
    String liveSilver = ".*/(?!_staging/)[^/]+/silver/events" + COMMIT;
    String liveQuarantine = ".*/(?!_staging/)[^/]+/silver/quarantine" + COMMIT;
    List<String> layers = List.of("bronze", "silver", "gold");
    List<Scenario> list = new ArrayList<>();
    add(
        list,
        "bronze, first run",
        Upstream.NOTHING,
        List.of("bronze"),
        layers,
        point(
            "before its checkpoint's metadata",
            "before:1:" + checkpoint("bronze/events", "metadata")));
    add(
        list,
        "bronze",
        Upstream.NOTHING,
        List.of("bronze"),
        layers,
        chaosOnly(
            "before the first offsets file", "before:1:" + checkpoint("bronze/events", "offsets")),
        chaosOnly(
            "after the first offsets file", "after:1:" + checkpoint("bronze/events", "offsets")),
        // Offsets written, nothing committed: the point after the data commit is the harder one.
        chaosOnly("before the first data commit", "before:1:" + bronze),
        point("between the data commit and the checkpoint commit", "after:1:" + bronze),
        chaosOnly(
            "before the first checkpoint commit",
            "before:1:" + checkpoint("bronze/events", "commits")),
        // A clean micro-batch boundary, as silver's point of that name: CI kills silver's.
        chaosOnly(
            "after the first checkpoint commit",
            "after:1:" + checkpoint("bronze/events", "commits")),
        chaosOnly("after the second data commit", "after:2:" + bronze),
        chaosOnly("before its ledger row ends", "before:1:" + runs));
    add(
        list,
        "silver",
        Upstream.BRONZE,
        List.of("silver"),
        List.of("silver", "gold"),
        chaosOnly(
            "before the first offsets file", "before:1:" + checkpoint("silver/events", "offsets")),
        chaosOnly(
            "after the first offsets file", "after:1:" + checkpoint("silver/events", "offsets")),
        point(
            "after the quarantine commit, before the MERGE commit",
            "after:1:" + quarantine,
            "before:1:" + silver),
        point(
            "after the MERGE commit, before the quarantine commit",
            "after:1:" + silver,
            "before:1:" + quarantine),
        chaosOnly(
            "before the first checkpoint commit",
            "before:1:" + checkpoint("silver/events", "commits")),
        point(
            "after the first checkpoint commit",
            "after:1:" + checkpoint("silver/events", "commits")),
        chaosOnly("after the second MERGE commit", "after:2:" + silver),
        // Every point checks the killed run's ledger row: CI leaves this one to bin/chaos, as
        // bronze's and the full refresh's.
        chaosOnly("before its ledger row ends", "before:1:" + runs));
    add(
        list,
        "gold",
        Upstream.SILVER,
        List.of("gold"),
        List.of("gold"),
        chaosOnly(
            "before the first offsets file", "before:1:" + checkpoint("gold/changes", "offsets")),
        point("after its first table commit", "after:1:" + gold),
        // An entity table's new events are in its state, not yet in its rows: the rerun must
        // bring them to the table without adding them to the state twice.
        point(
            "after an entity state's commit, before its table's",
            "after:1:.*/gold/user_features_state" + COMMIT),
        chaosOnly("after its second table commit", "after:2:" + gold),
        chaosOnly(
            "before the first checkpoint commit",
            "before:1:" + checkpoint("gold/changes", "commits")),
        chaosOnly(
            "after the first checkpoint commit",
            "after:1:" + checkpoint("gold/changes", "commits")));
    add(
        list,
        "silver --full-refresh",
        Upstream.BRONZE,
        List.of("silver", "--full-refresh"),
        List.of("silver --full-refresh", "gold"),
        chaosOnly("after the staged silver is created", "after:1:" + staged + "events" + COMMIT),
        chaosOnly(
            "after the staged quarantine is created", "after:1:" + staged + "quarantine" + COMMIT),
        chaosOnly(
            "before the staged first offsets file",
            "before:1:" + staged + "_checkpoint/offsets/\\d+"),
        // Before the swap the live tables are untouched (the rerun starts the staging over); CI
        // kills during and after the swap.
        chaosOnly(
            "after the first MERGE into the staged silver",
            "after:2:" + staged + "events" + COMMIT),
        chaosOnly("before the swap's first overwrite", "before:1:" + liveSilver),
        point("between the swap's two overwrites", "after:1:" + liveSilver),
        point("after the swap's overwrites, before the checkpoint", "after:1:" + liveQuarantine),
        chaosOnly("before its ledger row ends", "before:1:" + runs));
    add(
        list,
        "gold --full-refresh",
        Upstream.SILVER,
        List.of("gold", "--full-refresh"),
        List.of("gold --full-refresh"),
        // Its rerun rebuilds every table again, as the incremental points' reruns recompute
        // theirs: CI leaves it to bin/chaos for time (11 points in CI).
        chaosOnly("after the first table's rebuild", "after:1:" + gold),
        chaosOnly(
            "before the first offsets file", "before:1:" + checkpoint("gold/changes", "offsets")));
    add(
        list,
        "quarantine --replay",
        Upstream.GOLD,
        List.of("quarantine", "--replay"),
        List.of("quarantine --replay", "gold"),
        point("after the MERGE into silver, before the quarantine delete", "after:1:" + silver),
        chaosOnly("before the quarantine delete", "before:1:" + quarantine));
    for (String[] table :
        new String[][] {
          {"bronze.events", bronze}, {"silver.events", silver}, {"silver.quarantine", quarantine}
        }) {
      add(
          list,
          "maintain " + table[0],
          Upstream.GOLD,
          List.of(
              "maintain",
              "--table",
              table[0],
              "--retention-hours",
              "0",
              "--allow-unsafe-retention"),
          List.of("maintain " + table[0], "bronze", "silver", "gold"),
          // One table's maintenance is the others' with another table: CI kills silver's.
          !table[0].equals("silver.events")
              ? chaosOnly("between OPTIMIZE and VACUUM", "after:1:" + table[1])
              : point("between OPTIMIZE and VACUUM", "after:1:" + table[1]));
    }
    return list;
  }

  /** A named kill point, and optionally a write to hold until the kill. */
  private static String[] point(String name, String killAt, String... holdAt) {
    return new String[] {name, killAt, holdAt.length == 0 ? null : holdAt[0], "ci"};
  }

  /**
   * A kill point close to one CI already has (the same state between the same commits, reached
   * through another file): {@code bin/chaos} goes through it, CI does not, to stay within its time.
   */
  private static String[] chaosOnly(String name, String killAt) {
    return new String[] {name, killAt, null, "chaos"};
  }

  private static void add(
      List<Scenario> list,
      String what,
      Upstream upstream,
      List<String> command,
      List<String> recovery,
      String[]... points) {
    for (String[] point : points) {
      list.add(
          new Scenario(
              what + ", " + point[0],
              upstream,
              command,
              point[1],
              point[2],
              recovery,
              point[3].equals("ci")));
    }
  }

  private static String checkpoint(String query, String file) {
    return ".*/_checkpoints/" + query + "/" + file + (file.equals("metadata") ? "" : "/\\d+");
  }

  private void crash(Scenario scenario) throws Exception {
    long started = System.nanoTime();
    boolean replay = scenario.command().get(0).equals("quarantine");
    produceMore(replay);
    bringUpToDate(scenario.upstream());
    if (replay) {
      futureToleranceHours += 48; // the operator relaxes the rule the future events broke
    }

    Map<String, String> settings = settings(scenario.command());
    List<String> args = CommandLines.withSettings(scenario.command().get(0), settings);
    args.addAll(scenario.command().subList(1, scenario.command().size()));
    Map<String, String> environment = new HashMap<>(CommandLines.secrets(settings));
    environment.put(KillPoint.KILL_AT, scenario.killAt());
    if (scenario.holdAt() != null) {
      environment.put(KillPoint.HOLD_AT, scenario.holdAt());
    }
    long prepared = System.nanoTime();
    ChildJvm.Result killed = ChildJvm.run(Main.class, args, environment, CHILD_TIMEOUT);
    long crashed = System.nanoTime();
    assertThat(killed.exitCode())
        .as("%s: killed at its point; it printed:%n%s", scenario.name(), tail(killed.output()))
        .isEqualTo(KillPoint.KILLED);
    assertThat(killed.output()).contains(KillPoint.MARKER);
    kills++;

    for (String step : scenario.recovery()) {
      rerun(step);
    }
    if (replay) {
      markFutureEventsValid();
    }
    PipelineInvariants.assertExact(spark, config(), produced, scenario.name());
    // Each killed run is in the ledger as KILLED, or, until its layer runs again, left its marker.
    long killedRows =
        spark
            .read()
            .format("delta")
            .load(tables().ops(RunLedger.NAME))
            .where("status = 'KILLED'")
            .count();
    long markers = 0;
    Path running = Path.of(tables().ops(RunLedger.MARKERS));
    if (Files.exists(running)) {
      try (Stream<Path> files = Files.walk(running)) {
        markers = files.filter(Files::isRegularFile).count();
      }
    }
    assertThat(killedRows + markers)
        .as("%s: ledger rows of killed runs", scenario.name())
        .isEqualTo(kills);
    System.out.printf(
        "kill point '%s': prepared in %.1f s, killed after %.1f s, rerun and checked in %.1f s%n",
        scenario.name(),
        (prepared - started) / 1e9,
        (crashed - prepared) / 1e9,
        (System.nanoTime() - crashed) / 1e9);
  }

  private void bringUpToDate(Upstream upstream) {
    if (upstream.compareTo(Upstream.BRONZE) >= 0) {
      BronzeJob.run(spark, config());
    }
    if (upstream.compareTo(Upstream.SILVER) >= 0) {
      SilverJob.run(spark, config(), false);
    }
    if (upstream.compareTo(Upstream.GOLD) >= 0) {
      GoldJob.run(spark, config(), GoldRequest.incremental());
    }
  }

  private void rerun(String step) {
    MedallionConfig config = config();
    switch (step) {
      case "bronze" -> BronzeJob.run(spark, config);
      case "silver" -> SilverJob.run(spark, config, false);
      case "silver --full-refresh" -> SilverJob.run(spark, config, true);
      case "gold" -> GoldJob.run(spark, config, GoldRequest.incremental());
      case "gold --full-refresh" ->
          GoldJob.run(
              spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
      case "quarantine --replay" -> Quarantine.replay(spark, config, Optional.empty());
      default -> {
        assertThat(step).startsWith("maintain ");
        LayerRun.run(
            spark, config, Maintenance.job(config, step.substring("maintain ".length()), 0, true));
      }
    }
  }

  private void produceMore(boolean withFutureEvents) {
    List<GeneratedRecord> records = new ArrayList<>(EventGenerator.generate(spec));
    spec = spec.next(300);
    if (withFutureEvents) {
      // Events ahead of their ingestion by more than silver tolerates now, but less than it will
      // after the operator relaxes the rule: the quarantine holds them until the replay.
      long ahead = Instant.now().plus(Duration.ofHours(futureToleranceHours + 20L)).toEpochMilli();
      for (int i = 0; i < 3; i++) {
        Event event =
            new Event(
                "future-" + futureEvents++, "u-f", "s-f", "purchase", "p-1", 12.5, ahead, "m");
        records.add(
            new GeneratedRecord(
                null,
                event.toJson().getBytes(StandardCharsets.UTF_8),
                RecordKind.TIMESTAMP_OUT_OF_RANGE,
                event));
      }
    }
    Produced.produce(kafka.bootstrapServers(), TOPIC, records);
    produced.addAll(records);
  }

  /** After a replay under the relaxed rule, the future events are valid events. */
  private void markFutureEventsValid() {
    produced.replaceAll(
        r ->
            r.kind() == RecordKind.TIMESTAMP_OUT_OF_RANGE
                    && r.event() != null
                    && r.event().eventId().startsWith("future-")
                ? new GeneratedRecord(r.key(), r.value(), RecordKind.VALID, r.event())
                : r);
  }

  /**
   * The killed run's settings: the kill point hooks, and for an incremental run micro-batches small
   * enough that it has several (so there is a second commit to kill at).
   */
  private Map<String, String> settings(List<String> command) {
    Map<String, String> settings = new HashMap<>(config().raw());
    settings.putAll(KillPoint.SPARK_CONF);
    if (!command.contains("--full-refresh")) {
      switch (command.get(0)) {
        case "bronze" -> settings.put("kafka.max.offsets.per.trigger", "250");
        case "silver" -> settings.put("silver.max.files.per.trigger", "1");
        case "gold" -> settings.put("gold.max.files.per.trigger", "1");
        default -> {}
      }
    }
    return settings;
  }

  private MedallionConfig config() {
    return config(
        TOPIC, Map.of("silver.future.tolerance.hours", String.valueOf(futureToleranceHours)));
  }

  private static String tail(String output) {
    return output.substring(Math.max(0, output.length() - 4_000));
  }
}
