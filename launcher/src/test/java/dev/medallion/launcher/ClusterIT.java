package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldAssertions;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTable;
import dev.medallion.gold.GoldTables;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.sample.kafka.EmbeddedKafka;
import dev.medallion.silver.SilverJob;
import dev.medallion.testkit.testing.ChildJvm;
import dev.medallion.testkit.testing.Produced;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster job jar, which does not bundle Spark, submitted with a Spark distribution's {@code
 * spark-submit} to a real standalone cluster (master, worker and executors in their own JVMs on
 * 127.0.0.1), layer by layer: the gold it makes must be the gold of local mode.
 */
class ClusterIT {
  private static final String TOPIC = "events";
  private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(5);

  private static final String SHORT_RUNS =
      "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -XX:+UseParallelGC";

  /** Test-only: the driver binds to loopback; on a real cluster the defaults are right. */
  private static final List<String> SUBMIT_CONF =
      List.of(
          "spark.driver.host=127.0.0.1",
          "spark.driver.bindAddress=127.0.0.1",
          "spark.ui.enabled=false",
          "spark.executor.memory=1g",
          "spark.cores.max=2",
          "spark.sql.shuffle.partitions=4",
          "spark.databricks.delta.snapshotPartitions=2",
          // Four JVMs share two cores: the quick compiler only, as bin/medallion's runs.
          "spark.driver.extraJavaOptions=" + SHORT_RUNS,
          "spark.executor.extraJavaOptions=" + SHORT_RUNS);

  @TempDir static Path work;
  private static EmbeddedKafka kafka;
  private static SparkStandalone cluster;
  private static SparkSession spark;

  @BeforeAll
  static void startClusterAndKafka() throws Exception {
    String sparkHome = System.getProperty("medallion.spark.home", "");
    Assumptions.assumeFalse(
        sparkHome.isBlank(),
        "ClusterIT needs a Spark distribution: pass -Dmedallion.spark.home=DIR (bin/test passes"
            + " pyspark's)");
    kafka = EmbeddedKafka.start(work.resolve("kafka"));
    cluster =
        SparkStandalone.start(
            Path.of(sparkHome), Files.createDirectories(work.resolve("cluster")), 2, "2g");
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void layersSubmittedToAClusterMakeTheSameGoldAsLocalMode() throws Exception {
    kafka.createTopic(TOPIC, 3);
    List<GeneratedRecord> records = EventGenerator.generate(GeneratorSpec.realistic(23, 4_000));
    Produced.produce(kafka.bootstrapServers(), TOPIC, records);
    TableLocations onCluster = new TableLocations(work.resolve("cluster-lake").toString());
    TableLocations local = new TableLocations(work.resolve("local-lake").toString());
    Path clusterJar = Path.of(System.getProperty("medallion.cluster.jar"));

    for (String layer : List.of("bronze", "silver", "gold")) {
      ChildJvm.Result submitted =
          cluster.submit(
              Main.class.getName(),
              clusterJar,
              SUBMIT_CONF,
              CommandLines.withSettings(layer, settings(onCluster)),
              SUBMIT_TIMEOUT);
      assertThat(submitted.exitCode()).as(submitted.output()).isZero();
      submitted
          .output()
          .lines()
          .filter(line -> line.startsWith(layer + ": "))
          .forEach(System.out::println);
      assertThat(submitted.output())
          .as("the run's summary line")
          .contains(layer + ": " + (layer.equals("gold") ? "" : records.size() + " records in"));
    }
    assertThat(cluster.completedApplications())
        .contains("medallion-bronze", "medallion-silver", "medallion-gold");

    MedallionConfig localConfig = TestSpark.config(settings(local));
    BronzeJob.run(spark, localConfig);
    SilverJob.run(spark, localConfig, false);
    GoldJob.run(spark, localConfig, GoldRequest.incremental());

    for (GoldTable table : GoldTables.bundled().all()) {
      Dataset<Row> fromCluster = spark.read().format("delta").load(onCluster.of(table.spec()));
      Dataset<Row> fromLocal = spark.read().format("delta").load(local.of(table.spec()));
      assertThat(fromCluster.count()).as(table.name()).isPositive().isEqualTo(fromLocal.count());
      assertThat(fromCluster.exceptAll(fromLocal).count())
          .as("%s rows only the cluster made", table.name())
          .isZero();
      assertThat(fromLocal.exceptAll(fromCluster).count())
          .as("%s rows only local mode made", table.name())
          .isZero();
    }
    GoldAssertions.assertGoldEquals(spark, onCluster, GroundTruth.of(records));
  }

  private static Map<String, String> settings(TableLocations tables) {
    return Map.of(
        "kafka.bootstrap.servers",
        kafka.bootstrapServers(),
        "kafka.topics",
        TOPIC,
        "lakehouse.root",
        tables.root());
  }
}
