package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.silver.Quarantine;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code quarantine}: the quarantine's counts by reason, after a replay if asked. */
final class QuarantineCommand implements Command {
  private static final String REPLAY = "replay";
  private static final String REASON = "reason";

  @Override
  public String commandName() {
    return "quarantine";
  }

  @Override
  public String description() {
    return "show quarantined records by reason, or replay them through validation (--replay)";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder().longOpt(REPLAY).desc("move records that are now valid to silver").get());
    options.addOption(
        Option.builder()
            .longOpt(REASON)
            .hasArg()
            .argName("CODE")
            .desc("only records with this reason code, e.g. WRONG_TYPE")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    if (!line.hasOption(REPLAY)) {
      Command.withSpark("quarantine", config, spark -> printCounts(spark, config, out));
      return;
    }
    // A replay writes silver and the quarantine: it is a run of silver's, under silver's lock.
    Optional<String> reason = Optional.ofNullable(line.getOptionValue(REASON));
    LayerRuns.runAlone(
        "quarantine",
        Quarantine.replayJob(config, reason),
        config,
        (spark, replayed) -> {
          out.println(replayed.line());
          printCounts(spark, config, out);
        });
  }

  private static void printCounts(SparkSession spark, MedallionConfig config, PrintStream out) {
    List<Row> counts = Quarantine.countsByReason(spark, config.tables());
    out.printf("%-24s %12s%n", "reason", "records");
    counts.forEach(row -> out.printf("%-24s %,12d%n", row.getString(0), row.getLong(1)));
  }
}
