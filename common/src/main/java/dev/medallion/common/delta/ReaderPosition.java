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
 * have to read, from its checkpoint. Maintenance must not delete files from that version on.
 *
 * <p>Delta's offset names the version a batch ended in and the index of the last file it took: a
 * version read whole moves it to the next version's base (index -1), so any other offset is inside
 * its version (a commit split over batches by a file limit) and that version is still needed.
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
      if (lastCommitted >= 0) {
        return OptionalLong.of(
            offset(fs, checkpoint, lastCommitted).path("reservoirVersion").asLong());
      }
      if (Checkpoints.lastBatch(fs, offsets) < 0) {
        return OptionalLong.empty();
      }
      // The first batch did not commit, and the checkpoint does not hold where it started: inside
      // the initial snapshot of a version, that version; after a starting version, any from 0.
      JsonNode planned = offset(fs, checkpoint, 0);
      return OptionalLong.of(
          planned.path("isStartingVersion").asBoolean(false)
              ? planned.path("reservoirVersion").asLong()
              : 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the streaming checkpoint " + checkpoint, e);
    }
  }

  private static JsonNode offset(FileSystem fs, String checkpoint, long batch) throws IOException {
    return JSON.readTree(Checkpoints.sourceOffset(fs, checkpoint, batch));
  }
}
