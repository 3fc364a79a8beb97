package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import dev.medallion.silver.Quarantine;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way code can run a layer's writer takes the layer's lock first, not only the command line:
 * a writer called from a program or a test while another run holds the lock is refused before it
 * reads or writes anything, as a second {@code bin/medallion} run is.
 */
class LayerRunsTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  static Stream<Arguments> writers() {
    return Stream.of(
        writer("bronze", "bronze", (s, c) -> BronzeJob.run(s, c)),
        writer("bronze --recover-checkpoint", "bronze", (s, c) -> BronzeJob.run(s, c, true)),
        writer("silver", "silver", (s, c) -> SilverJob.run(s, c, false)),
        writer("silver --full-refresh", "silver", (s, c) -> SilverJob.run(s, c, true)),
        writer(
            "quarantine --replay", "silver", (s, c) -> Quarantine.replay(s, c, Optional.empty())),
        writer("gold", "gold", (s, c) -> GoldJob.run(s, c, GoldRequest.incremental())),
        writer(
            "gold --full-refresh",
            "gold",
            (s, c) ->
                GoldJob.run(s, c, GoldRequest.parse(GoldTables.bundled(), null, true, null, null))),
        writer(
            "maintain --table silver.events",
            "silver",
            (s, c) -> LayerRun.run(s, c, Maintenance.job(c, "silver.events", 168, false))),
        writer(
            "maintain --table gold.sessions",
            "gold",
            (s, c) -> LayerRun.run(s, c, Maintenance.job(c, "gold.sessions", 168, false))));
  }

  private static Arguments writer(
      String name, String layer, BiConsumer<SparkSession, MedallionConfig> run) {
    return Arguments.of(name, layer, run);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writers")
  void aWriterIsRefusedWhileAnotherRunHoldsItsLayersLock(
      String name, String layer, BiConsumer<SparkSession, MedallionConfig> run, @TempDir Path root)
      throws Exception {
    MedallionConfig config =
        TestSpark.config(
            Map.of(
                "lakehouse.root", root.toString(),
                "kafka.bootstrap.servers", "127.0.0.1:9",
                "kafka.topics", "events"));
    TableLocations tables = new TableLocations(root.toString());
    try (LayerLock held =
        LayerLock.acquire(tables, layer, new Configuration(), Duration.ofMinutes(1))) {
      assertThatThrownBy(() -> run.accept(spark, config))
          .hasMessageStartingWith(
              "Cannot start " + layer + ": another " + layer + " run is in progress");
    }
    assertThat(Path.of(tables.ops("runs"))).as("no ledger row for a refused run").doesNotExist();
    try (Stream<Path> files = Files.list(root)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("_locks");
    }
  }
}
