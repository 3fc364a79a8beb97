package dev.medallion.common.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Facts about a streaming checkpoint that a layer checks before it runs: a checkpoint without its
 * table, or a table without its checkpoint, is lost state that must be refused, not guessed.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /** Whether the checkpoint has logged at least one micro-batch. */
  public static boolean holdsBatches(SparkSession spark, String checkpoint) {
    Path offsets = new Path(checkpoint, "offsets");
    try {
      return lastBatch(offsets.getFileSystem(spark.sparkContext().hadoopConfiguration()), offsets)
          >= 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoint " + checkpoint, e);
    }
  }

  /**
   * The highest batch id in one of a checkpoint's logs ({@code offsets} or {@code commits}), or -1
   * when it holds none.
   */
  public static long lastBatch(FileSystem fs, Path log) throws IOException {
    if (!fs.exists(log)) {
      return -1;
    }
    long last = -1;
    for (FileStatus file : fs.listStatus(log)) {
      String name = file.getPath().getName();
      if (name.matches("\\d+")) {
        last = Math.max(last, Long.parseLong(name));
      }
    }
    return last;
  }

  /**
   * The source offset a checkpoint logged for {@code batch}, as the source wrote it (a streaming
   * query with one source logs it on the last line of {@code offsets/<batch>}).
   */
  public static String sourceOffset(FileSystem fs, String checkpoint, long batch)
      throws IOException {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                fs.open(new Path(new Path(checkpoint, "offsets"), String.valueOf(batch))),
                StandardCharsets.UTF_8))) {
      // Line 1 is the log format version, line 2 the batch's metadata, then one offset per source.
      List<String> lines = reader.lines().toList();
      return lines.get(lines.size() - 1);
    }
  }

  /**
   * The source offset up to which the checkpoint's query has committed its output (its last
   * committed batch's end), or empty when it committed none.
   */
  public static Optional<String> committedSourceOffset(SparkSession spark, String checkpoint) {
    Path commits = new Path(checkpoint, "commits");
    try {
      FileSystem fs = commits.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long batch = lastBatch(fs, commits);
      return batch < 0 ? Optional.empty() : Optional.of(sourceOffset(fs, checkpoint, batch));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoint " + checkpoint, e);
    }
  }
}
