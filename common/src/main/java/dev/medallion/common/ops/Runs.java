package dev.medallion.common.ops;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.error.StorageFailures;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.ledger.RunSummary;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every command that writes runs: its row in the run ledger from start to end, an alert when it
 * fails or warns, its lineage events, and a watch on its micro-batches' throughput while it runs.
 */
public final class Runs {
  private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

  private Runs() {}

  /**
   * Runs a layer's job under its ledger row. Call under the layer's lock.
   *
   * @param command what was run, as an operator would type it ({@code silver --full-refresh})
   */
  public static RunSummary record(
      SparkSession spark,
      MedallionConfig config,
      String layer,
      String command,
      Supplier<RunSummary> run) {
    return record(spark, config, layer, command, run, summary -> summary);
  }

  /**
   * {@link #record(SparkSession, MedallionConfig, String, String, Supplier)} for a command whose
   * result is not a layer's summary: {@code asSummary} says what the ledger keeps of it.
   */
  public static <T> T record(
      SparkSession spark,
      MedallionConfig config,
      String layer,
      String command,
      Supplier<T> run,
      Function<T, RunSummary> asSummary) {
    Alerts alerts = Alerts.from(config);
    Lineage lineage = Lineage.from(config);
    long beginning = System.nanoTime();
    RunLedger.Entry entry = RunLedger.begin(spark, config, layer, command);
    double begun = (System.nanoTime() - beginning) / 1e9;
    lineage.send(Lineage.EventType.START, layer, entry.runId(), RunFacts.NONE, null);
    T result;
    try (ThroughputWatch watch =
            ThroughputWatch.start(spark, config, alerts, layer, command, entry.runId());
        Progress progress = Progress.start(spark, config, layer)) {
      result = run.get();
    } catch (RuntimeException e) {
      String error = config.maskSecrets(errorLine(e));
      try {
        entry.failed(error);
      } catch (RuntimeException ledger) {
        e.addSuppressed(ledger);
      }
      alerts.raise(new Alerts.Alert(Alerts.Kind.RUN_FAILED, layer, command, entry.runId(), error));
      lineage.send(Lineage.EventType.FAIL, layer, entry.runId(), RunFacts.NONE, error);
      throw e;
    }
    RunSummary summary = asSummary.apply(result);
    long ending = System.nanoTime();
    entry.succeeded(summary);
    LOG.info(
        "{}: run {} recorded in the run ledger (begin {} s, end {} s)",
        layer,
        entry.runId(),
        String.format(Locale.ROOT, "%.2f", begun),
        String.format(Locale.ROOT, "%.2f", (System.nanoTime() - ending) / 1e9));
    lineage.send(Lineage.EventType.COMPLETE, layer, entry.runId(), summary.facts(), null);
    for (String warning : summary.facts().warnings()) {
      alerts.raise(
          new Alerts.Alert(Alerts.Kind.RUN_WARNING, layer, command, entry.runId(), warning));
    }
    return result;
  }

  /**
   * The one line an operator needs: ours as it is, Spark's and the store's reduced to the cause.
   */
  static String errorLine(RuntimeException e) {
    if (e instanceof MedallionException) {
      return Errors.firstLine(e.getMessage());
    }
    return StorageFailures.explain(e).orElseGet(() -> Errors.firstLine(e.toString()));
  }
}
