package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.gold.GoldAssertions;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.silver.Reconciliation;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * OPTIMIZE + VACUUM (with no retention at all, the harshest case) while a downstream layer lags,
 * then the lagging layer catches up, then rebuilds: maintenance never deletes what a reader still
 * needs, and a rebuild after VACUUM reads the current snapshot, not files long gone.
 */
class MaintenanceIT extends PipelineIT {
  private final List<GeneratedRecord> produced = new ArrayList<>();
  private GeneratorSpec spec =
      new GeneratorSpec(51, 0, 1_500, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.02);

  @Test
  void vacuumWaitsForLaggingReadersAndRebuildsAfterItReadTheSnapshot() throws Exception {
    String topic = "maintained";
    kafka.createTopic(topic, 2);
    // Small bronze batches: several files per run, so OPTIMIZE has files to compact and remove.
    MedallionConfig config = config(topic, Map.of("kafka.max.offsets.per.trigger", "400"));
    produceMore(topic);
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());

    // Bronze moves on; silver lags behind it.
    produceMore(topic);
    BronzeJob.run(spark, config);
    Thread.sleep(50);
    assertThatThrownBy(() -> maintain(config, "bronze.events"))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Refusing to VACUUM bronze.events: silver has not read it since v")
        .hasMessageContaining("run bin/medallion silver first");

    SilverJob.run(spark, config, false);
    assertThat(maintain(config, "bronze.events"))
        .contains("bronze.events: optimized", "vacuumed files older than 0 hours");
    // A rebuild after VACUUM: the files of bronze's first commits are gone.
    SilverJob.run(spark, config, true);
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();
    GoldJob.run(spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
    assertGold();

    // Silver moves on; gold lags behind silver's change feed.
    produceMore(topic);
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    Thread.sleep(50);
    assertThatThrownBy(() -> maintain(config, "silver.events"))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Refusing to VACUUM silver.events: gold has not read it since v");

    GoldJob.run(spark, config, GoldRequest.incremental());
    assertThat(maintain(config, "silver.events"))
        .contains("silver.events: optimized (Z-order event_id)");
    assertThat(maintain(config, "bronze.events")).contains("bronze.events: optimized");
    GoldJob.run(spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
    SilverJob.run(spark, config, true);
    GoldJob.run(spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
    assertGold();
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();
  }

  @Test
  void logCleanupKeepsTheCommitsALaggingReaderHasYetToRead() throws Exception {
    String topic = "log-cleanup";
    kafka.createTopic(topic, 1);
    // Several commits per bronze run, so that each run checkpoints bronze's log.
    spec = new GeneratorSpec(52, 0, 600, GeneratorSpec.DEFAULT_START, 24, 0.05, 0.05, 0.02);
    MedallionConfig config = config(topic, Map.of("kafka.max.offsets.per.trigger", "150"));
    produceMore(topic);
    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    // Bronze moves on, silver lags; bronze keeps its log two days and checkpoints it every other
    // commit, and everything it committed so far is three days old.
    String bronze = tables().bronzeEvents();
    spark.sql(
        "ALTER TABLE delta.`"
            + bronze
            + "` SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 2 days',"
            + " 'delta.deletedFileRetentionDuration' = 'interval 1 days',"
            + " 'delta.checkpointInterval' = '2')");
    produceMore(topic);
    BronzeJob.run(spark, config);
    backdateLog(bronze, Duration.ofDays(3));

    // The next bronze run checkpoints the log, which runs Delta's log cleanup.
    produceMore(topic);
    BronzeJob.run(spark, config);

    SilverJob.run(spark, config, false);
    assertThat(
            spark
                .sql("SHOW TBLPROPERTIES delta.`" + bronze + "` ('delta.logRetentionDuration')")
                .head()
                .getString(1))
        .isEqualTo("interval 12 days");

    // A writer that does not guard the log (another tool, an older medallion) cleans it up under
    // a lagging silver: silver refuses, and the runbook's rebuild is exact.
    produceMore(topic);
    unguardedBronze(config);
    backdateLog(bronze, Duration.ofDays(13));
    produceMore(topic);
    unguardedBronze(config);
    assertThatThrownBy(() -> SilverJob.run(spark, config, false))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot run silver: commits of bronze/events it had yet to read were deleted by"
                + " Delta's log cleanup")
        .hasMessageContaining("run bin/medallion silver --full-refresh");
    SilverJob.run(spark, config, true);
    GoldJob.run(spark, config, GoldRequest.parse(GoldTables.bundled(), null, true, null, null));
    assertGold();
    assertThat(Reconciliation.run(spark, config).balanced()).isTrue();
  }

  /** A bronze run's work outside {@link LayerRun}: no lock, nothing keeps its log for silver. */
  private void unguardedBronze(MedallionConfig config) {
    BronzeJob.job(config, false).work().apply(spark);
  }

  /** Dates every file of a table's log {@code age} back, in version order as Delta wrote them. */
  private static void backdateLog(String table, Duration age) throws IOException {
    Instant start = Instant.now().minus(age);
    try (Stream<Path> files = Files.list(Path.of(table, "_delta_log"))) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().matches("\\d{20}\\..*")).toList()) {
        long version = Long.parseLong(file.getFileName().toString().substring(0, 20));
        Files.setLastModifiedTime(file, FileTime.from(start.plusSeconds(version)));
      }
    }
  }

  /** Maintenance as the command runs it: under the lock of the layer that owns the table. */
  private String maintain(MedallionConfig config, String table) {
    return LayerRun.run(spark, config, Maintenance.job(config, table, 0, true));
  }

  private void produceMore(String topic) {
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    Produced.produce(kafka.bootstrapServers(), topic, records);
    produced.addAll(records);
    spec = spec.next(spec.events());
  }

  private void assertGold() {
    GoldAssertions.assertGoldEquals(spark, tables(), GroundTruth.of(produced));
  }
}
