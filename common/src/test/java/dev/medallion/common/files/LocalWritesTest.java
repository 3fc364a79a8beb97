package dev.medallion.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.spark.LocalSessions;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run over a local lakehouse starts no process: Hadoop's local file system runs {@code chmod} for
 * every file it creates with a permission and {@code readlink} for both sides of every rename,
 * which made 5,170 processes of a few milliseconds each in one gold test class (eight per Delta
 * commit).
 */
class LocalWritesTest {
  private static SparkSession spark;

  @TempDir Path lakehouse;

  @BeforeAll
  static void start() {
    spark = LocalSessions.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void deltaCommitsCheckpointsAndStreamingQueriesStartNoProcess() throws Exception {
    String table = lakehouse.resolve("events").toString();
    String copy = lakehouse.resolve("copy").toString();
    List<String> started;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart").withStackTrace();
      recording.start();
      spark.range(5).write().format("delta").save(table);
      spark.range(5, 8).write().format("delta").mode("append").save(table);
      DeltaTable.forPath(spark, table)
          .as("t")
          .merge(spark.range(6, 12).toDF().as("s"), "t.id = s.id")
          .whenNotMatched()
          .insertAll()
          .execute();
      spark
          .readStream()
          .format("delta")
          .load(table)
          .writeStream()
          .format("delta")
          .option("checkpointLocation", lakehouse.resolve("_checkpoint").toString())
          .trigger(Trigger.AvailableNow())
          .start(copy)
          .awaitTermination();
      assertThat(spark.read().format("delta").load(copy).count()).isEqualTo(12);
      recording.stop();
      Path dump = Files.createTempFile(lakehouse, "processes", ".jfr");
      recording.dump(dump);
      started =
          RecordingFile.readAllEvents(dump).stream()
              .filter(LocalWritesTest::byTheFileSystem)
              .map(event -> event.getString("command"))
              .toList();
    }
    assertThat(started).as("processes the file system started").isEmpty();
  }

  /** Started by Hadoop's file system, not by Spark's once-a-JVM probes (its page size). */
  private static boolean byTheFileSystem(RecordedEvent event) {
    return event.getStackTrace().getFrames().stream()
        .anyMatch(
            frame -> frame.getMethod().getType().getName().startsWith("org.apache.hadoop.fs."));
  }
}
