package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.silver.Reconciliation;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;

/** {@code reconcile}: every bronze record silver processed is accounted for, or exit 1. */
final class ReconcileCommand implements Command {
  @Override
  public String commandName() {
    return "reconcile";
  }

  @Override
  public String description() {
    return "check that every bronze record silver processed is in silver, a dropped duplicate, or"
        + " quarantined";
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    Command.withSpark(
        "reconcile",
        config,
        spark -> {
          Reconciliation.Result result = Reconciliation.run(spark, config);
          out.println(result.line());
          if (!result.balanced()) {
            throw Errors.jobFailed(result.line(), null);
          }
        });
  }
}
