package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.delta.LogRetention;
import dev.medallion.common.delta.ReaderPosition;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableLocations;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reader's position is the first version it may still have to read, as Delta's own offsets say: a
 * version read whole moves the offset to the next version's base, so an offset inside a version (a
 * commit split over micro-batches by a file limit) still needs that version.
 */
class ReaderPositionTest {
  private static final long SPLIT_VERSION = 1;

  private static SparkSession spark;
  private static TableLocations lakehouse;

  @BeforeAll
  static void start() throws Exception {
    spark = TestSpark.session(TestSpark.config(Map.of()));
    lakehouse = new TableLocations(Files.createTempDirectory("reader-position").toString());
    String silver = lakehouse.silverEvents();
    spark
        .range(1)
        .write()
        .format("delta")
        .option("delta.enableChangeDataFeed", "true")
        .save(silver); // v0
    spark.range(10, 13).repartition(3).write().format("delta").mode("append").save(silver); // v1
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Gold's change-feed query over silver, one file per batch, failing in its batch {@code n}. */
  private static StreamingQuery reader(String checkpoint, long failingBatch) throws Exception {
    VoidFunction2<Dataset<Row>, Long> batch =
        (rows, id) -> {
          if (id == failingBatch) {
            throw new IllegalStateException("stopped in batch " + id);
          }
        };
    return spark
        .readStream()
        .format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", SPLIT_VERSION)
        .option("maxFilesPerTrigger", 1)
        .load(lakehouse.silverEvents())
        .writeStream()
        .option("checkpointLocation", checkpoint)
        .foreachBatch(batch)
        .trigger(Trigger.AvailableNow())
        .start();
  }

  private static void readFailingInBatch(String checkpoint, long failingBatch) throws Exception {
    StreamingQuery query = reader(checkpoint, failingBatch);
    assertThatThrownBy(query::awaitTermination).hasStackTraceContaining("stopped in batch");
  }

  @Test
  void aReaderStoppedInsideAVersionStillNeedsIt() throws Exception {
    String checkpoint = lakehouse.checkpoint(CoreTables.GOLD_READS_SILVER);
    DeltaTables.deleteLocation(spark, checkpoint);
    readFailingInBatch(checkpoint, 1); // batch 0 read one of version 1's three files

    assertThat(ReaderPosition.firstUnreadVersion(spark, checkpoint))
        .isEqualTo(OptionalLong.of(SPLIT_VERSION));
    // Log cleanup covers the reader: 20 days behind against Delta's 30-day default.
    Instant later = Instant.now().plus(Duration.ofDays(20));
    assertThat(LogRetention.coverReaders(spark, lakehouse, CoreTables.SILVER_EVENTS, later))
        .hasValueSatisfying(warning -> assertThat(warning).contains("gold"));
    // VACUUM with no retention would delete the unread files of version 1: it is refused.
    assertThatThrownBy(
            () ->
                Maintenance.checkReaders(
                    spark,
                    TableCatalog.bundled(),
                    lakehouse,
                    "silver.events",
                    lakehouse.silverEvents(),
                    1,
                    0))
        .hasMessageContaining("gold has not read it since v1");
  }

  @Test
  void aReaderWhoseFirstBatchFailedHasReadNothing() throws Exception {
    String checkpoint = lakehouse.checkpoint("test", "first-batch-failed");
    readFailingInBatch(checkpoint, 0);

    assertThat(ReaderPosition.firstUnreadVersion(spark, checkpoint)).isEqualTo(OptionalLong.of(0));
  }

  @Test
  void aReaderThatReadEverythingIsPastTheLatestVersion() throws Exception {
    String checkpoint = lakehouse.checkpoint("test", "whole");
    reader(checkpoint, -1).awaitTermination(); // three batches, one file each
    // Past the latest version, whichever it is (another test may have set a table property).
    assertThat(ReaderPosition.firstUnreadVersion(spark, checkpoint))
        .isEqualTo(OptionalLong.of(DeltaTables.version(spark, lakehouse.silverEvents()) + 1));
  }
}
