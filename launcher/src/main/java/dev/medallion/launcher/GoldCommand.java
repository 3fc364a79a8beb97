package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.gold.GoldJob;
import dev.medallion.gold.GoldRequest;
import dev.medallion.gold.GoldTables;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code gold}: the gold rows new silver rows touch, or a full refresh or backfill. */
final class GoldCommand implements Command {
  private static final String TABLE = "table";
  private static final String FULL_REFRESH = "full-refresh";
  private static final String FROM = "from";
  private static final String TO = "to";

  @Override
  public String commandName() {
    return "gold";
  }

  @Override
  public String description() {
    return "recompute the gold tables' hours and days that new silver rows touch";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(TABLE)
            .hasArg()
            .argName("NAME")
            .desc(
                "one gold table (with --full-refresh or --from/--to): "
                    + GoldTables.bundled().names()
                    + " or one of gold.tables.dir")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(FULL_REFRESH)
            .desc("rebuild from all of silver (every table, or --table)")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(FROM)
            .hasArg()
            .argName("DATE")
            .desc("backfill: first day to recompute, e.g. 2026-01-01")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(TO)
            .hasArg()
            .argName("DATE")
            .desc("backfill: day after the last to recompute (exclusive)")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    GoldRequest request =
        GoldRequest.parse(
            GoldTables.of(config),
            line.getOptionValue(TABLE),
            line.hasOption(FULL_REFRESH),
            line.getOptionValue(FROM),
            line.getOptionValue(TO));
    LayerRuns.runAlone(GoldJob.job(config, request), config, out);
  }
}
