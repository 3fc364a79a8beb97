package dev.medallion.common.ops;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.delta.LogRetention;
import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.error.StorageFailures;
import dev.medallion.common.ledger.RunFacts;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.lock.LayerLock;
import dev.medallion.common.spark.SparkSessions;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run of a layer, the one way anything writes a layer's tables: the layer's lock (one writer per
 * table), then its tables' logs kept for their readers, then the job under its row in the run
 * ledger, with an alert when it fails or warns, its lineage events and a watch on its throughput. A
 * job cannot be run outside this sequence by mistake: its work is only reachable through {@link
 * #run}.
 */
public final class LayerRun implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LayerRun.class);

  private final MedallionConfig config;
  private final String layer;
  private final LayerLock lock;

  private LayerRun(MedallionConfig config, String layer, LayerLock lock) {
    this.config = config;
    this.layer = layer;
    this.lock = lock;
  }

  /**
   * Takes {@code layer}'s lock, or fails at once if another run holds it. Needs no SparkSession, so
   * a command takes it before starting Spark: a refused run costs no Spark.
   */
  public static LayerRun lock(MedallionConfig config, String layer) {
    return new LayerRun(
        config,
        layer,
        LayerLock.acquire(
            config.tables(),
            layer,
            SparkSessions.hadoopConf(config),
            Duration.ofSeconds(config.get(Settings.LOCK_LEASE_SECONDS))));
  }

  /** A whole run: the layer's lock, the job, the lock released. */
  public static <T> T run(SparkSession spark, MedallionConfig config, LayerJob<T> job) {
    try (LayerRun run = lock(config, job.layer())) {
      return run.run(spark, job);
    }
  }

  /** The layer whose lock this run holds. */
  public String layer() {
    return layer;
  }

  /** Runs {@code job}, one of this layer's, under the lock this run holds. */
  public <T> T run(SparkSession spark, LayerJob<T> job) {
    if (!job.layer().equals(layer)) {
      throw new IllegalArgumentException(
          "Cannot run " + job.command() + " under " + layer + "'s lock: it writes " + job.layer());
    }
    long guarding = System.nanoTime();
    coverReaders(spark, job.tables());
    return record(spark, job, (System.nanoTime() - guarding) / 1e9);
  }

  /**
   * Keeps Delta's log cleanup of {@code tables} from deleting commits their readers have yet to
   * read: cleanup runs when a writer commits, and every writer holds the layer's lock. {@link #run}
   * does it; a writer that keeps no ledger row ({@code sql --allow-writes}) calls it itself.
   */
  public void coverReaders(SparkSession spark, List<TableSpec> tables) {
    TableLocations locations = config.tables();
    Instant now = Instant.now();
    for (TableSpec table : tables) {
      if (!table.layer().equals(layer)) {
        throw new IllegalArgumentException(
            "Cannot cover " + table.sqlName() + "'s readers under " + layer + "'s lock");
      }
      LogRetention.coverReaders(spark, locations, table, now)
          .ifPresent(warning -> LOG.warn("{}", warning));
    }
  }

  /** Runs the job under its ledger row; {@code guarded}: seconds its tables' log guard took. */
  private <T> T record(SparkSession spark, LayerJob<T> job, double guarded) {
    Alerts alerts = Alerts.from(config);
    Lineage lineage = Lineage.from(config);
    String command = job.command();
    long beginning = System.nanoTime();
    RunLedger.Entry entry = RunLedger.begin(spark, config, layer, command);
    double begun = (System.nanoTime() - beginning) / 1e9;
    lineage.send(Lineage.EventType.START, layer, entry.runId(), RunFacts.NONE, null);
    T result;
    long working = System.nanoTime();
    try (ThroughputWatch watch =
            ThroughputWatch.start(spark, config, alerts, layer, command, entry.runId());
        Progress progress = Progress.start(spark, config, layer)) {
      result = job.work().apply(spark);
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
    RunSummary summary = job.summary().of(spark, result, (System.nanoTime() - working) / 1e9);
    long ending = System.nanoTime();
    entry.succeeded(summary);
    LOG.info(
        "{}: run {} recorded in the run ledger (log guard {} s, ledger begin {} s, end {} s)",
        layer,
        entry.runId(),
        String.format(Locale.ROOT, "%.2f", guarded),
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

  /** Releases the layer's lock. */
  @Override
  public void close() {
    lock.close();
  }
}
