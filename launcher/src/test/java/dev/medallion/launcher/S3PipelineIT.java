package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layer with {@code lakehouse.root} on a real S3-compatible server (S3Proxy over s3a://): a
 * killed run completed by its rerun, a run with nothing new, a restart of the server between runs,
 * the AWS default credential chain, wrong credentials, and the run lock as a lease. The steps build
 * on each other's tables, so they run in order; each checks the tables against the generator's
 * ground truth.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3PipelineIT {
  private static final String BUCKET = "lake";
  private static final String PREFIX = "it";
  private static final String TOPIC = "events";
  private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(4);

  @TempDir static Path work;
  private static S3Server s3;
  private static EmbeddedKafka kafka;
  private static SparkSession spark;
  private static MedallionConfig config;
  private static final TableLocations TABLES = new TableLocations("s3a://" + BUCKET + "/" + PREFIX);
  private static final List<GeneratedRecord> PRODUCED = new ArrayList<>();
  private static GeneratorSpec lastBatch = GeneratorSpec.realistic(11, 6_000);

  @BeforeAll
  static void startServers() throws Exception {
    s3 = S3Server.start(work.resolve("s3"));
    s3.createBucket(BUCKET);
    kafka = EmbeddedKafka.start(work.resolve("kafka"));
    kafka.createTopic(TOPIC, 3);
    config = TestSpark.config(settings());
    spark = TestSpark.session(config);
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>(s3.config(S3Server.SECRET_KEY));
    settings.put("lakehouse.root", TABLES.root());
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("kafka.topics", TOPIC);
    // Several micro-batches per run, so that a run can be killed between two of them.
    settings.put("kafka.max.offsets.per.trigger", "2000");
    settings.put("silver.max.files.per.trigger", "2");
    // A run killed here leaves its lock behind; a short lease lets the next run take it soon.
    settings.put("lock.lease.seconds", "4");
    return settings;
  }

  @Test
  @Order(1)
  void aKilledSilverRunIsCompletedByItsRerun() throws Exception {
    produce(lastBatch);
    assertThat(BronzeJob.run(spark, config).recordsIn()).isEqualTo(PRODUCED.size());

    Path silverLog = s3.localPath(BUCKET, PREFIX + "/silver/events/_delta_log");
    ChildJvm.killWhen(
        Main.class,
        CommandLines.withSettings("silver", config.raw()),
        CommandLines.secrets(config.raw()),
        () -> ChildJvm.commits(silverLog) >= 2,
        CHILD_TIMEOUT);
    awaitExpiredLease("silver");
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());

    assertTablesMatchTheGroundTruth();
  }

  @Test
  @Order(2)
  void aRunWithNothingNewChangesNoTable() throws Exception {
    Map<String, Long> before = versions();

    for (RunSummary run :
        List.of(
            BronzeJob.run(spark, config),
            SilverJob.run(spark, config, false),
            GoldJob.run(spark, config, GoldRequest.incremental()))) {
      assertThat(run.recordsIn()).as(run.line()).isZero();
    }

    assertThat(versions()).isEqualTo(before);
  }

  @Test
  @Order(3)
  void theAwsDefaultCredentialChainReadsTheTables() throws Exception {
    Map<String, String> withoutKeys = new HashMap<>(config.raw());
    withoutKeys.remove("s3.access.key");
    withoutKeys.remove("s3.secret.key");
    List<String> args = CommandLines.withSettings("sql", withoutKeys);
    args.addAll(List.of("--format", "csv", "SELECT count(*) AS n FROM silver.events"));

    ChildJvm.Result result =
        ChildJvm.run(
            Main.class,
            args,
            Map.of(
                "AWS_ACCESS_KEY_ID",
                S3Server.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                S3Server.SECRET_KEY),
            CHILD_TIMEOUT);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output().lines())
        .contains(String.valueOf(GroundTruth.of(PRODUCED).events().size()));
  }

  @Test
  @Order(4)
  void theServerRestartedBetweenTwoRunsLosesNothing() throws Exception {
    s3.restart();
    lastBatch = lastBatch.next(3_000);
    produce(lastBatch);

    BronzeJob.run(spark, config);
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());

    assertTablesMatchTheGroundTruth();
  }

  @Test
  @Order(5)
  void wrongCredentialsFailInOneLineThatDoesNotShowTheSecret() throws Exception {
    String wrongSecret = "wrong-secret-5e1d";
    long bronzeVersion = DeltaTables.version(spark, TABLES.bronzeEvents());

    ChildJvm.Result result =
        ChildJvm.run(
            Main.class,
            CommandLines.withSettings("bronze", config.raw()),
            Map.of(
                "MEDALLION_S3_ACCESS_KEY",
                S3Server.ACCESS_KEY,
                "MEDALLION_S3_SECRET_KEY",
                wrongSecret),
            CHILD_TIMEOUT);

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    List<String> lines =
        result.output().lines().filter(line -> line.startsWith("medallion: ")).toList();
    assertThat(lines)
        .singleElement()
        .asString()
        .startsWith("medallion: bronze failed: S3 denied access to " + TABLES.root() + "/")
        .contains("s3.access.key and s3.secret.key");
    assertThat(result.output()).doesNotContain(wrongSecret).doesNotContain(S3Server.SECRET_KEY);
    assertThat(DeltaTables.version(spark, TABLES.bronzeEvents())).isEqualTo(bronzeVersion);
  }

  @Test
  @Order(5)
  void s3asOwnKeySettingsAreHonouredAsSparkSubmitPassesThem() throws Exception {
    Map<String, String> withoutKeys = new HashMap<>(config.raw());
    String accessKey = withoutKeys.remove("s3.access.key");
    withoutKeys.remove("s3.secret.key");
    long bronzeVersion = DeltaTables.version(spark, TABLES.bronzeEvents());

    // spark-submit --conf spark.hadoop.fs.s3a.*=... reaches the driver as system properties.
    ChildJvm.Result result =
        ChildJvm.run(
            Main.class,
            CommandLines.withSettings("bronze", withoutKeys),
            Map.of(
                "JAVA_TOOL_OPTIONS",
                "-Dspark.hadoop.fs.s3a.access.key="
                    + accessKey
                    + " -Dspark.hadoop.fs.s3a.secret.key="
                    + S3Server.SECRET_KEY),
            CHILD_TIMEOUT);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("bronze: 0 records in");
    assertThat(DeltaTables.version(spark, TABLES.bronzeEvents())).isEqualTo(bronzeVersion);
  }

  @Test
  @Order(6)
  void theRunLockOnS3IsALeaseThatALiveRunKeepsAndAKilledRunLosesWhenItExpires() throws Exception {
    Configuration hadoop = spark.sessionState().newHadoopConf();
    Duration lease = Duration.ofSeconds(3);
    try (LayerLock held = LayerLock.acquire(TABLES, "gold", hadoop, lease)) {
      Thread.sleep(lease.toMillis() + 2_000); // longer than the lease: the holder renews it
      assertThatThrownBy(() -> LayerLock.acquire(TABLES, "gold", hadoop, lease))
          .isInstanceOf(MedallionException.class)
          .hasMessageStartingWith(
              "Cannot start gold: another gold run holds " + TABLES.root() + "/_locks/gold.lock");
    }
    LayerLock.acquire(TABLES, "gold", hadoop, lease).close(); // released at the end of a run

    lastBatch = lastBatch.next(2_000);
    produce(lastBatch);
    BronzeJob.run(spark, config);
    Path silverLock = s3.localPath(BUCKET, PREFIX + "/_locks/silver.lock");
    long started = System.currentTimeMillis(); // the lock the first step's killed run left is older
    ChildJvm.killWhen(
        Main.class,
        CommandLines.withSettings("silver", config.raw()),
        CommandLines.secrets(config.raw()),
        () -> writtenSince(silverLock, started),
        CHILD_TIMEOUT);

    assertThatThrownBy(() -> LayerLock.acquire(TABLES, "silver", hadoop, lease))
        .as("the killed run's lease has not expired yet")
        .hasMessageContaining("if it was killed, until its lease expires");
    Thread.sleep(
        5_000); // the killed run's lease (lock.lease.seconds=4) expires: a rerun takes over
    SilverJob.run(spark, config, false);
    GoldJob.run(spark, config, GoldRequest.incremental());
    assertThat(Files.readString(silverLock))
        .as("released at the end of the run")
        .contains("released=true");
    assertTablesMatchTheGroundTruth();
  }

  /** Waits, as the runbook says, until the lease a killed run left on {@code layer}'s lock ends. */
  private static void awaitExpiredLease(String layer) throws InterruptedException {
    Configuration hadoop = spark.sessionState().newHadoopConf();
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      try {
        LayerLock.acquire(TABLES, layer, hadoop, Duration.ofSeconds(4)).close();
        return;
      } catch (MedallionException e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static boolean writtenSince(Path file, long millis) {
    try {
      return Files.exists(file) && Files.getLastModifiedTime(file).toMillis() >= millis;
    } catch (java.io.IOException e) {
      return false; // being replaced right now
    }
  }

  private static void produce(GeneratorSpec spec) {
    List<GeneratedRecord> records = EventGenerator.generate(spec);
    Produced.produce(kafka.bootstrapServers(), TOPIC, records);
    PRODUCED.addAll(records);
  }

  private static void assertTablesMatchTheGroundTruth() {
    PipelineInvariants.assertExact(spark, config, PRODUCED, "on S3");
  }

  private static Map<String, Long> versions() {
    Map<String, Long> versions = new HashMap<>();
    versions.put("bronze", DeltaTables.version(spark, TABLES.bronzeEvents()));
    versions.put("silver", DeltaTables.version(spark, TABLES.silverEvents()));
    versions.put("quarantine", DeltaTables.version(spark, TABLES.silverQuarantine()));
    GoldTables.bundled()
        .all()
        .forEach(t -> versions.put(t.name(), DeltaTables.version(spark, TABLES.of(t.spec()))));
    return versions;
  }
}
