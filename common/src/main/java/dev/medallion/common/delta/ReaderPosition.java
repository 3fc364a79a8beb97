package dev.medallion.common.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.spark.Checkpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Where a streaming query that reads a Delta table stands: the first table version it may still
 * have to read, from its checkpoint (the offset of its last committed micro-batch, or of its first
 * batch while none is committed). Maintenance must not delete files from that version on.
 */
public final class ReaderPosition {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReaderPosition() {}

  /**
   * The version (possibly one the table does not have yet), or empty when the checkpoint holds no
   * batch yet.
   */
  public static OptionalLong firstUnreadVersion(SparkSession spark, String checkpoint) {
    Path offsets = new Path(checkpoint, "offsets");
    Path commits = new Path(checkpoint, "commits");
    try {
      FileSystem fs = offsets.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long lastCommitted = Checkpoints.lastBatch(fs, commits);
      long batch =
          lastCommitted >= 0 ? lastCommitted : (Checkpoints.lastBatch(fs, offsets) >= 0 ? 0 : -1);
      if (batch < 0) {
        return OptionalLong.empty();
      }
      JsonNode offset = JSON.readTree(Checkpoints.sourceOffset(fs, checkpoint, batch));
      long version = offset.path("reservoirVersion").asLong();
      // Index -1: nothing of that version read yet. Otherwise the reader is at or inside it; a
      // run that ended read it whole, so the next version is the first it still needs.
      return OptionalLong.of(offset.path("index").asLong(-1) < 0 ? version : version + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoint " + checkpoint, e);
    }
  }
}
