package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code bronze}: new Kafka records into bronze. */
final class BronzeCommand implements Command {
  private static final String RECOVER_CHECKPOINT = "recover-checkpoint";

  @Override
  public String commandName() {
    return "bronze";
  }

  @Override
  public String description() {
    return "ingest new Kafka records into bronze/events (Trigger.AvailableNow)";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(RECOVER_CHECKPOINT)
            .desc("start a lost checkpoint again from the Kafka offsets bronze/events holds")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    BronzeJob.validate(config);
    LayerRuns.runAlone(BronzeJob.job(config, line.hasOption(RECOVER_CHECKPOINT)), config, out);
  }
}
