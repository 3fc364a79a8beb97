package dev.medallion.common.spark;

import dev.medallion.common.error.Errors;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Runs a streaming query the way every layer does: {@code Trigger.AvailableNow} (take what has
 * arrived, in bounded micro-batches, then stop) and a summary of what it read.
 */
public final class StreamingRuns {
  /** Enough progress entries to cover every micro-batch of one run. */
  static final String RECENT_PROGRESS_CONF = "spark.sql.streaming.numRecentProgressUpdates";

  private StreamingRuns() {}

  /**
   * What one run read.
   *
   * @param startOffset the source offset before the first batch ({@code "none"} when there was no
   *     batch)
   * @param endOffset the source offset after the last batch
   */
  public record Totals(long inputRows, int batches, String startOffset, String endOffset) {
    /** A run that started no query. */
    public static final Totals NONE = new Totals(0, 0, "none", "none");
  }

  /** Starts the query under AvailableNow, waits for it to stop and sums its progress. */
  public static Totals runAvailableNow(DataStreamWriter<?> writer) throws StreamingQueryException {
    StreamingQuery query;
    try {
      query = writer.trigger(Trigger.AvailableNow()).start();
    } catch (TimeoutException e) {
      throw Errors.jobFailed("Cannot start the streaming query: " + e.getMessage(), e);
    }
    query.awaitTermination();
    return totals(query.recentProgress());
  }

  /** Raise the progress history so a run of many small batches is summed completely. */
  public static void keepAllProgress(org.apache.spark.sql.SparkSession spark) {
    spark.conf().set(RECENT_PROGRESS_CONF, "100000");
  }

  static Totals totals(StreamingQueryProgress[] progress) {
    long rows = 0;
    int batches = 0;
    String start = "none";
    String end = "none";
    for (StreamingQueryProgress p : progress) {
      if (p.numInputRows() == 0 || p.sources().length == 0) {
        continue;
      }
      SourceProgress source = p.sources()[0];
      if (batches == 0) {
        // A new query's first batch has no start offset: it begins at kafka.starting.offsets.
        start = source.startOffset() == null ? "start" : source.startOffset();
      }
      end = source.endOffset();
      rows += p.numInputRows();
      batches++;
    }
    return new Totals(rows, batches, start, end);
  }
}
