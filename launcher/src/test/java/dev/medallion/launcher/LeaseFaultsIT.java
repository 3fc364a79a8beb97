package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.FencedS3LogStore;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.table.TableLocations;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 run lock under faults, on a real S3-compatible server: a holder cut off from the store
 * while another run takes over, and the store itself down for longer than the lease. The old holder
 * must commit nothing more and must not remove the new holder's lease. And writers of one table
 * committing at once each land their commit.
 */
class LeaseFaultsIT {
  private static final String BUCKET = "leases";
  private static final Duration LEASE = Duration.ofSeconds(4);
  private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path work;
  private static S3Server s3;
  private static SparkSession spark;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3Server.start(work.resolve("s3"));
    s3.createBucket(BUCKET);
    Map<String, String> settings = new HashMap<>(s3.config(S3Server.SECRET_KEY));
    settings.put("lakehouse.root", "s3a://" + BUCKET + "/lake");
    MedallionConfig config = TestSpark.config(settings);
    spark = TestSpark.session(config);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aHolderCutOffFromTheStoreCommitsNothingAfterATakeoverAndLeavesTheNewLeaseAlone()
      throws Exception {
    TableLocations tables = new TableLocations("s3a://" + BUCKET + "/cut");
    try (TcpRelay relay = TcpRelay.to(s3.port())) {
      LayerLock old =
          LayerLock.acquire(tables, "gold", hadoop("http://127.0.0.1:" + relay.port()), LEASE);
      relay.cut();

      LayerLock taker = takeOver(tables, "gold");
      assertThat(lockFile("cut", "gold")).contains("released=false");

      // The old holder still runs: its next commit is refused before anything is written.
      String fenced = tables.root() + "/gold/fenced";
      assertThatThrownBy(() -> spark.range(3).write().format("delta").mode("append").save(fenced))
          .hasStackTraceContaining(
              "Cannot commit: gold no longer holds its run lock "
                  + tables.root()
                  + "/_locks/gold.lock");
      assertThat(DeltaTables.version(spark, fenced)).isEqualTo(DeltaTables.NO_VERSION);

      relay.restore();
      String takersLease = lockFile("cut", "gold");
      assertThatThrownBy(old::close)
          .isInstanceOf(MedallionException.class)
          .hasMessageContaining("gold lost its run lock");
      assertThat(lockFile("cut", "gold"))
          .as("the old holder leaves the new lease as it was")
          .isEqualTo(takersLease);

      LayerLock.checkHeldLocks(); // the new holder's commits go on
      spark.range(3).write().format("delta").mode("append").save(fenced);
      assertThat(DeltaTables.version(spark, fenced)).isZero();
      taker.close();
    }
    assertThat(lockFile("cut", "gold")).contains("released=true");
    LayerLock.acquire(tables, "gold", hadoop(s3.endpoint()), LEASE)
        .close(); // free at once after a release
  }

  @Test
  void aStoreDownForLongerThanTheLeaseStopsTheHolderAndLetsTheNextRunIn() throws Exception {
    TableLocations tables = new TableLocations("s3a://" + BUCKET + "/down");
    LayerLock holder = LayerLock.acquire(tables, "silver", hadoop(s3.endpoint()), LEASE);
    s3.stop();
    try {
      Thread.sleep(LEASE.toMillis() + 1_000);
      assertThatThrownBy(LayerLock::checkHeldLocks)
          .hasMessageStartingWith("Cannot commit: silver no longer holds its run lock");
    } finally {
      s3.restart();
    }
    LayerLock next = takeOver(tables, "silver");
    assertThatThrownBy(holder::close).hasMessageContaining("silver lost its run lock");
    next.close();
  }

  @Test
  void aWriteOfTheHolderWhoseReplyWasLostKeepsTheLease() throws Exception {
    // A renewal or release interrupted after the store applied it, or retried by the client once
    // it had landed, leaves the lease at a version the holder never learnt the ETag of.
    TableLocations tables = new TableLocations("s3a://" + BUCKET + "/unseen");
    Configuration conf = hadoop(s3.endpoint());
    LayerLock holder = LayerLock.acquire(tables, "bronze", conf, LEASE);
    org.apache.hadoop.fs.Path lease =
        new org.apache.hadoop.fs.Path(tables.root() + "/_locks/bronze.lock");
    FileSystem fs = lease.getFileSystem(conf);

    rewriteAsItsHolderWould(fs, lease);
    Thread.sleep(LEASE.toMillis() / 2);
    LayerLock.checkHeldLocks(); // the renewals go on from the version the holder wrote
    assertThat(lockFile("unseen", "bronze")).contains("released=false");

    rewriteAsItsHolderWould(fs, lease);
    holder.close(); // releases its own lease rather than calling it lost
    assertThat(lockFile("unseen", "bronze")).contains("released=true");
  }

  /** Writes the lease once more with its holder's content and a new sequence, as a renewal does. */
  private static void rewriteAsItsHolderWould(FileSystem fs, org.apache.hadoop.fs.Path lease)
      throws Exception {
    Properties content = new Properties();
    try (var in = fs.open(lease)) {
      content.load(in);
    }
    content.setProperty(
        "sequence", String.valueOf(Long.parseLong(content.getProperty("sequence")) + 1));
    try (var out = fs.create(lease, true)) {
      content.store(out, null);
    }
  }

  @Test
  void writersCommittingTheSameVersionAtOnceEachLandTheirCommit() throws Exception {
    // A commit file another writer created first is never overwritten.
    Configuration conf = hadoop(s3.endpoint());
    FencedS3LogStore store = new FencedS3LogStore(conf);
    org.apache.hadoop.fs.Path commit =
        new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/race/00000000000000000007.json");
    store.write(commit, List.of("{\"first\":1}").iterator(), false, conf);
    assertThatThrownBy(() -> store.write(commit, List.of("{\"second\":2}").iterator(), false, conf))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(Files.readString(s3.localPath(BUCKET, "race/00000000000000000007.json")))
        .isEqualTo("{\"first\":1}\n");

    // Appends racing for each version: Delta retries the losers at the next one.
    String table = "s3a://" + BUCKET + "/race/shared";
    spark.range(0).write().format("delta").save(table);
    int writers = 3;
    int commitsEach = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        long first = w * 100L;
        done.add(
            pool.submit(
                () -> {
                  for (int c = 0; c < commitsEach; c++) {
                    spark
                        .range(first + c, first + c + 1)
                        .write()
                        .format("delta")
                        .mode("append")
                        .save(table);
                  }
                }));
      }
      for (Future<?> writer : done) {
        writer.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(spark.read().format("delta").load(table).count()).isEqualTo(writers * commitsEach);
    assertThat(DeltaTables.version(spark, table)).isEqualTo(writers * commitsEach);
  }

  /** Takes the lock as another run would, retrying while the old lease is still live. */
  private static LayerLock takeOver(TableLocations tables, String layer)
      throws InterruptedException {
    long deadline = System.nanoTime() + TAKEOVER_TIMEOUT.toNanos();
    while (true) {
      try {
        return LayerLock.acquire(tables, layer, hadoop(s3.endpoint()), LEASE);
      } catch (MedallionException e) {
        assertThat(e)
            .hasMessageStartingWith("Cannot start " + layer + ": another " + layer + " run holds");
        assertThat(System.nanoTime())
            .as("the old lease expires within %s", TAKEOVER_TIMEOUT)
            .isLessThan(deadline);
        Thread.sleep(500);
      }
    }
  }

  /**
   * A run's own connection to the store: not shared through Hadoop's file system cache, few
   * retries.
   */
  private static Configuration hadoop(String endpoint) {
    Configuration conf = spark.sessionState().newHadoopConf();
    conf.set("fs.s3a.endpoint", endpoint);
    conf.setBoolean("fs.s3a.impl.disable.cache", true);
    conf.setInt("fs.s3a.retry.limit", 1);
    conf.set("fs.s3a.retry.interval", "100ms");
    conf.setInt("fs.s3a.attempts.maximum", 1);
    conf.set("fs.s3a.connection.establish.timeout", "1s");
    return conf;
  }

  private static String lockFile(String prefix, String layer) throws Exception {
    return Files.readString(
        s3.localPath(BUCKET, prefix + "/_locks/" + layer + ".lock"), StandardCharsets.UTF_8);
  }
}
