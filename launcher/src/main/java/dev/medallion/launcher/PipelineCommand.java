package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;

/** {@code pipeline}: the three layers' runs in one Spark application. */
final class PipelineCommand implements Command {
  @Override
  public String commandName() {
    return "pipeline";
  }

  @Override
  public String description() {
    return "run bronze, then silver, then gold in one Spark application (one JVM start; each layer"
        + " keeps its own lock, query, checkpoint and ledger row; a failed layer stops the rest)";
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    BronzeJob.validate(config);
    Command.withSpark("pipeline", config, spark -> LayerRuns.runAll(spark, config, out));
  }
}
