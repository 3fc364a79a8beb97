package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.chaos.KillPoint;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Writers of one layer at once, as separate processes: a run held in the middle of a commit keeps
 * its layer's lock, and every other writer of that layer (the same job, a replay, maintain, {@code
 * sql --allow-writes}) is refused at once with a message saying so. After the held run is killed,
 * the reruns leave every table exact.
 */
class ConcurrencyIT extends PipelineIT {
  private static final String TOPIC = "concurrent";
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private final List<GeneratedRecord> produced = new ArrayList<>();
  private GeneratorSpec spec =
      new GeneratorSpec(61, 0, 400, GeneratorSpec.DEFAULT_START, 12, 0.05, 0.05, 0.05);

  @Test
  void aLayerHasOneWriterAtATime() throws Exception {
    kafka.createTopic(TOPIC, 2);
    produceMore();
    BronzeJob.run(spark, config());
    SilverJob.run(spark, config(), false);
    GoldJob.run(spark, config(), GoldRequest.incremental());
    produceMore();

    whileHeld(
        "bronze",
        List.of("bronze"),
        List.of(List.of("bronze"), List.of("maintain", "--table", "bronze.events")));
    BronzeJob.run(spark, config());

    whileHeld(
        "silver",
        List.of("silver"),
        List.of(
            List.of("silver", "--full-refresh"),
            List.of("quarantine", "--replay"),
            List.of("maintain", "--table", "silver.quarantine"),
            List.of("sql", "--allow-writes", "DELETE FROM silver.events WHERE event_id = 'x'")));
    SilverJob.run(spark, config(), false);

    whileHeld(
        "gold",
        List.of("gold"),
        List.of(
            List.of("gold", "--full-refresh"),
            List.of("maintain", "--table", "gold.hourly_revenue")));
    GoldJob.run(spark, config(), GoldRequest.incremental());

    PipelineInvariants.assertExact(spark, config(), produced, "after the held runs were killed");
  }

  /**
   * Runs {@code held} until it is about to write its layer's first table commit, then each of
   * {@code contenders}, and kills the held run.
   */
  private void whileHeld(String layer, List<String> held, List<List<String>> contenders)
      throws Exception {
    Map<String, String> environment = new HashMap<>(CommandLines.secrets(config().raw()));
    environment.put(KillPoint.HOLD_AT, "before:1:.*/" + layer + "/[a-z_]+/_delta_log/\\d+\\.json");
    try (ChildJvm.Running running =
        ChildJvm.startUntil(Main.class, command(held), environment, KillPoint.HELD, TIMEOUT)) {
      for (List<String> contender : contenders) {
        ChildJvm.Result refused =
            ChildJvm.run(
                Main.class, command(contender), CommandLines.secrets(config().raw()), TIMEOUT);
        assertThat(refused.exitCode()).as("%s while %s runs", contender, layer).isNotZero();
        assertThat(refused.output())
            .as("%s while %s runs", contender, layer)
            .contains("Cannot start " + layer + ": another " + layer + " run is in progress")
            .as("%s refused before it starts Spark", contender)
            .doesNotContain("with config:");
      }
      assertThat(running.output()).doesNotContain("Cannot start");
    }
  }

  private List<String> command(List<String> command) {
    Map<String, String> settings = new HashMap<>(config().raw());
    settings.putAll(KillPoint.SPARK_CONF);
    List<String> args = CommandLines.withSettings(command.get(0), settings);
    args.addAll(command.subList(1, command.size()));
    return args;
  }

  private void produceMore() {
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    spec = spec.next(400);
    Produced.produce(kafka.bootstrapServers(), TOPIC, records);
    produced.addAll(records);
  }

  private MedallionConfig config() {
    return config(TOPIC, Map.of());
  }
}
