package dev.medallion.common.ops;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Watches a run's micro-batches (Spark's {@link StreamingQueryListener} progress) and alerts once
 * per run when one processes fewer rows per second than {@code alerts.min.rows.per.second}: a layer
 * that slowed down is noticed before it falls behind.
 */
final class ThroughputWatch extends StreamingQueryListener implements AutoCloseable {
  private final SparkSession spark;
  private final long floor;
  private final Alerts alerts;
  private final String layer;
  private final String command;
  private final String runId;
  private final AtomicBoolean raised = new AtomicBoolean();

  private ThroughputWatch(
      SparkSession spark, long floor, Alerts alerts, String layer, String command, String runId) {
    this.spark = spark;
    this.floor = floor;
    this.alerts = alerts;
    this.layer = layer;
    this.command = command;
    this.runId = runId;
  }

  /** Starts watching, unless no floor is configured. */
  static ThroughputWatch start(
      SparkSession spark,
      MedallionConfig config,
      Alerts alerts,
      String layer,
      String command,
      String runId) {
    long floor = config.get(Settings.ALERTS_MIN_ROWS_PER_SECOND);
    ThroughputWatch watch = new ThroughputWatch(spark, floor, alerts, layer, command, runId);
    if (floor > 0) {
      spark.streams().addListener(watch);
    }
    return watch;
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress progress = event.progress();
    if (progress.numInputRows() > 0
        && progress.processedRowsPerSecond() < floor
        && raised.compareAndSet(false, true)) {
      alerts.raise(
          new Alerts.Alert(
              Alerts.Kind.SLOW_BATCH,
              layer,
              command,
              runId,
              String.format(
                  Locale.ROOT,
                  "%s: micro-batch %d processed %,.0f rows/s (%,d rows), below"
                      + " alerts.min.rows.per.second=%d",
                  layer,
                  progress.batchId(),
                  progress.processedRowsPerSecond(),
                  progress.numInputRows(),
                  floor)));
    }
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}

  @Override
  public void close() {
    if (floor > 0) {
      spark.streams().removeListener(this);
    }
  }
}
