package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.ops.LayerJob;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.silver.SilverJob;
import java.io.PrintStream;
import java.util.function.BiConsumer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the commands run layer jobs: each as a {@link LayerRun}, its summary line printed. */
final class LayerRuns {
  private static final Logger LOG = LoggerFactory.getLogger(LayerRuns.class);

  private LayerRuns() {}

  /** A layer's own run in a session of its own, its summary line printed. */
  static void runAlone(LayerJob<RunSummary> job, MedallionConfig config, PrintStream out) {
    runAlone(job.layer(), job, config, (spark, summary) -> print(summary, out));
  }

  /**
   * {@code job} in a session of {@code command}'s own, then {@code then} with its result in the
   * same session. The lock comes before Spark starts: a run refused for another one in progress
   * costs no Spark.
   */
  static <T> void runAlone(
      String command, LayerJob<T> job, MedallionConfig config, BiConsumer<SparkSession, T> then) {
    try (LayerRun run = LayerRun.lock(config, job.layer())) {
      Command.withSpark(command, config, spark -> then.accept(spark, run.run(spark, job)));
    }
  }

  /**
   * The three layers' incremental runs one after another in one session: what the scheduler's
   * bronze, silver and gold tasks do, without starting a JVM and Spark for each and with the code
   * the first layer compiled already warm for the next. Each is the same run as its own command
   * (lock, query, checkpoint, ledger row), so any one can still be rerun alone; a failed layer
   * stops the rest.
   */
  static void runAll(SparkSession spark, MedallionConfig config, PrintStream out) {
    print(LayerRun.run(spark, config, BronzeJob.job(config, false)), out);
    print(LayerRun.run(spark, config, SilverJob.job(config, false)), out);
    print(LayerRun.run(spark, config, GoldJob.job(config, GoldRequest.incremental())), out);
  }

  /** The summary line, to the log and the command's output. */
  private static void print(RunSummary summary, PrintStream out) {
    LOG.info("{}", summary.line());
    out.println(summary.line());
  }
}
