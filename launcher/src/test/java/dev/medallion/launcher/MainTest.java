package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.table.TableLocations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract with scripts and Airflow: exit codes and one-line errors. */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return runWith(Map.of(), args);
  }

  private int runWith(Map<String, String> environment, String... args) {
    return Main.run(
        args,
        environment,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errorLine() {
    return err.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void helpListsCommandsAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("bronze", "demo", "Exit codes");
  }

  @Test
  void noArgumentsPrintsUsageAndExitsTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: bin/medallion");
  }

  @Test
  void unknownCommandIsOneLineAndExitsTwo() {
    assertThat(run("platinum")).isEqualTo(2);
    assertThat(errorLine())
        .isEqualTo("medallion: unknown command 'platinum'; run bin/medallion --help for the list");
  }

  @Test
  void unknownConfigKeyExitsTwoBeforeSparkStarts() {
    assertThat(run("bronze", "--set", "kafka.bootstrap=127.0.0.1:9092")).isEqualTo(2);
    assertThat(errorLine())
        .startsWith("medallion: Unknown config key 'kafka.bootstrap' (from --set)")
        .doesNotContain("\n");
  }

  @Test
  void missingBootstrapServersExitsTwoNamingTheKey() {
    assertThat(run("bronze")).isEqualTo(2);
    assertThat(errorLine())
        .startsWith(
            "medallion: Missing config key 'kafka.bootstrap.servers': bronze reads from Kafka")
        .contains("MEDALLION_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void unknownOptionExitsTwo() {
    assertThat(run("bronze", "--full-refresh")).isEqualTo(2);
    assertThat(errorLine()).startsWith("medallion: Unrecognized option: --full-refresh");
  }

  @Test
  void aSecondRunOfALayerIsRefusedWhileOneHoldsItsLock(@TempDir Path root) {
    try (LayerLock held = holdLock(root, "silver")) {
      assertThat(run("silver", "--set", "lakehouse.root=" + root)).isEqualTo(1);
    }
    assertThat(errorLine())
        .startsWith(
            "medallion: Cannot start silver: another silver run is in progress (it holds "
                + root.resolve("_locks/silver.lock")
                + ")");
  }

  @Test
  void maintenanceOfATableWaitsForTheLayerThatOwnsIt(@TempDir Path root) {
    try (LayerLock held = holdLock(root, "gold")) {
      assertThat(run("maintain", "--table", "gold.daily_funnel", "--set", "lakehouse.root=" + root))
          .isEqualTo(1);
    }
    assertThat(errorLine())
        .startsWith("medallion: Cannot start gold: another gold run is in progress");
  }

  @Test
  void aQuarantineReplayWaitsForSilver(@TempDir Path root) {
    try (LayerLock held = holdLock(root, "silver")) {
      assertThat(
              run(
                  "quarantine",
                  "--replay",
                  "--set",
                  "lakehouse.root=" + root,
                  "--set",
                  "spark.master=local[1]"))
          .isEqualTo(1);
    }
    assertThat(errorLine())
        .startsWith("medallion: Cannot start silver: another silver run is in progress");
  }

  @Test
  void sqlRefusesAWriteUnlessAllowedAndThenWaitsForTheLayers(@TempDir Path root) {
    String insert = "INSERT INTO gold.hourly_revenue SELECT * FROM gold.hourly_revenue";
    String getenv = "SELECT reflect('java.lang.System', 'getenv', 'HOME')";
    assertThat(
            run("sql", "--set", "lakehouse.root=" + root, "--set", "spark.master=local[1]", getenv))
        .isEqualTo(2);
    assertThat(errorLine())
        .isEqualTo(
            "medallion: Cannot run this statement: sql is read-only and does not run the function"
                + " reflect (CallMethodViaReflection); pass --allow-writes to run it while no layer"
                + " job runs");

    err.reset();
    try (LayerLock held = holdLock(root, "gold")) {
      assertThat(
              run(
                  "sql",
                  "--allow-writes",
                  "--set",
                  "lakehouse.root=" + root,
                  "--set",
                  "spark.master=local[1]",
                  insert))
          .isEqualTo(1);
    }
    assertThat(errorLine())
        .startsWith("medallion: Cannot start gold: another gold run is in progress");
  }

  @Test
  void unreachableBrokerFailsWithExitOneAndOneLine() {
    // Nothing listens on port 1 of the loopback interface.
    int code =
        run(
            "bronze",
            "--set",
            "kafka.bootstrap.servers=127.0.0.1:1",
            "--set",
            "lakehouse.root=target/unreachable-lakehouse",
            "--set",
            "kafka.consumer.default.api.timeout.ms=3000",
            "--set",
            "kafka.consumer.request.timeout.ms=2000",
            "--set",
            "spark.master=local[1]");
    assertThat(code).isEqualTo(1);
    assertThat(errorLine()).startsWith("medallion: ").doesNotContain("\n");
  }

  @Test
  void unreachableS3EndpointFailsWithOneLineNamingTheKeyToCheck() {
    // Nothing listens on port 1 of the loopback interface; few retries keep the test short.
    int code =
        runWith(
            Map.of(
                "MEDALLION_S3_ACCESS_KEY",
                "AKIDTEST",
                "MEDALLION_S3_SECRET_KEY",
                "never-printed-secret"),
            "bronze",
            "--set",
            "kafka.bootstrap.servers=127.0.0.1:1",
            "--set",
            "lakehouse.root=s3a://lake/unreachable",
            "--set",
            "s3.endpoint=http://127.0.0.1:1",
            "--set",
            "s3.path.style.access=true",
            "--set",
            "s3.region=us-east-1",
            "--set",
            "spark.hadoop.fs.s3a.retry.limit=0",
            "--set",
            "spark.hadoop.fs.s3a.attempts.maximum=0",
            "--set",
            "spark.master=local[1]");
    assertThat(code).isEqualTo(1);
    assertThat(errorLine())
        .startsWith(
            "medallion: bronze failed: Cannot reach the S3 endpoint for s3a://lake/unreachable/")
        .contains("check s3.endpoint")
        .doesNotContain("never-printed-secret")
        .doesNotContain("\n");
  }

  @Test
  void aSecretOnTheCommandLineIsRefusedWithTheVariableToUseInstead() {
    assertThat(
            run(
                "bronze",
                "--set",
                "kafka.consumer.sasl.jaas.config=user-pass-1234",
                "--set",
                "kafka.bootstrap.servers=127.0.0.1:1"))
        .isEqualTo(2);
    assertThat(errorLine())
        .isEqualTo(
            "medallion: Cannot take kafka.consumer.sasl.jaas.config from --set: a command line"
                + " shows in the process list and in Airflow's logs; set the environment variable"
                + " MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG instead");
    err.reset();
    assertThat(run("silver", "--set", "spark.hadoop.fs.s3a.secret.key=s3-secret-99")).isEqualTo(2);
    assertThat(errorLine())
        .contains("MEDALLION_SPARK_HADOOP_FS_S3A_SECRET_KEY")
        .doesNotContain("s3-secret-99");
  }

  @Test
  void theDemoRefusesAnObjectStoreRoot() {
    assertThat(run("demo", "--set", "lakehouse.root=s3a://lake/demo")).isEqualTo(2);
    assertThat(errorLine())
        .startsWith("medallion: The demo writes a local lakehouse, not s3a://lake/demo");
  }

  /** Holds {@code layer}'s lock under {@code root} as a running job would. */
  private static LayerLock holdLock(Path root, String layer) {
    return LayerLock.acquire(
        new TableLocations(root.toString()), layer, new Configuration(), Duration.ofMinutes(1));
  }
}
