package dev.medallion.common.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
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
      FileSystem fs = offsets.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(offsets)
          && fs.listStatus(offsets, path -> path.getName().matches("\\d+")).length > 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoint " + checkpoint, e);
    }
  }
}
