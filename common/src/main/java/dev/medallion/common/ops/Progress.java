package dev.medallion.common.ops;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * One line per micro-batch on standard error while a run streams (its rows, its rate, the run's
 * total so far), so a long run on a terminal shows it is moving. {@code progress=auto} shows it on
 * a terminal only; {@code --quiet} ({@code progress=off}) leaves a scheduler's log the summary line
 * and warnings.
 */
final class Progress extends StreamingQueryListener implements AutoCloseable {
  private final SparkSession spark;
  private final PrintStream out;
  private final String layer;
  private final boolean on;
  private final AtomicLong total = new AtomicLong();

  private Progress(SparkSession spark, PrintStream out, String layer, boolean on) {
    this.spark = spark;
    this.out = out;
    this.layer = layer;
    this.on = on;
  }

  /** Starts showing progress, if {@code progress} says so. */
  static Progress start(SparkSession spark, MedallionConfig config, String layer) {
    String mode = config.get(Settings.PROGRESS);
    boolean on = mode.equals("on") || (mode.equals("auto") && System.console() != null);
    Progress progress = new Progress(spark, System.err, layer, on);
    if (on) {
      spark.streams().addListener(progress);
    }
    return progress;
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress progress = event.progress();
    if (progress.numInputRows() == 0) {
      return;
    }
    out.println(
        line(
            layer,
            progress.batchId(),
            progress.numInputRows(),
            progress.processedRowsPerSecond(),
            total.addAndGet(progress.numInputRows())));
  }

  static String line(String layer, long batch, long rows, double rowsPerSecond, long total) {
    return String.format(
        Locale.ROOT,
        "%s: micro-batch %d: %,d rows at %,.0f rows/s (%,d so far)",
        layer,
        batch,
        rows,
        rowsPerSecond,
        total);
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}

  @Override
  public void close() {
    if (on) {
      spark.streams().removeListener(this);
    }
  }
}
