package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.silver.SilverJob;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code silver}: new bronze rows validated, deduplicated and enriched into silver. */
final class SilverCommand implements Command {
  private static final String FULL_REFRESH = "full-refresh";

  @Override
  public String commandName() {
    return "silver";
  }

  @Override
  public String description() {
    return "validate, deduplicate and enrich new bronze rows into silver/events and"
        + " silver/quarantine";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(FULL_REFRESH)
            .desc(
                "rebuild silver and the quarantine from all of bronze with a fresh checkpoint"
                    + " (Kafka is not read)")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    LayerRuns.runAlone(SilverJob.job(config, line.hasOption(FULL_REFRESH)), config, out);
  }
}
