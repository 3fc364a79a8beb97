package dev.medallion.common.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
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
}
