package dev.medallion.common.ops;

import dev.medallion.common.ledger.RunSummary;
import dev.medallion.common.table.TableSpec;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * What one run of a layer does, for {@link LayerRun} to run: the layer whose lock it needs, the
 * tables it writes (whose logs are kept for their readers), the command as an operator would type
 * it, the work, and what the ledger keeps of its result.
 *
 * @param command what was run, as typed ({@code silver --full-refresh}): the ledger's command
 */
public record LayerJob<T>(
    String layer,
    List<TableSpec> tables,
    String command,
    Function<SparkSession, T> work,
    Summary<T> summary) {

  /** What the ledger keeps of a job's result. */
  @FunctionalInterface
  public interface Summary<T> {
    /**
     * The ledger's summary of {@code result}, read in the job's session.
     *
     * @param seconds how long the work took
     */
    RunSummary of(SparkSession spark, T result, double seconds);
  }

  public LayerJob {
    tables = List.copyOf(tables);
  }

  /** A job whose result is its summary: a layer's own run. */
  public static LayerJob<RunSummary> of(
      String layer,
      List<TableSpec> tables,
      String command,
      Function<SparkSession, RunSummary> work) {
    return new LayerJob<>(layer, tables, command, work, (spark, summary, seconds) -> summary);
  }
}
