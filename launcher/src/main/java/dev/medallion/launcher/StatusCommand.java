package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import java.io.PrintStream;
import java.time.Instant;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code status}: each table's last run, age and lag ({@link Status}), exit 3 when unhealthy. */
final class StatusCommand implements Command {
  private static final String JSON = "json";

  @Override
  public String commandName() {
    return "status";
  }

  @Override
  public String description() {
    return "per table: last successful run, its age, rows and lag behind Kafka or the upstream"
        + " table; exit 3 when a status.max.* threshold is broken";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(Option.builder().longOpt(JSON).desc("print the status as JSON").get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    Command.withSpark(
        "status",
        config,
        spark -> {
          Instant now = Instant.now();
          Status.Report report = Status.measure(spark, config, now);
          out.print(line.hasOption(JSON) ? Status.json(report, now) : Status.text(report, now));
          if (!report.healthy()) {
            throw Errors.unhealthy(
                "status: "
                    + report.broken().size()
                    + " threshold(s) broken: "
                    + String.join("; ", report.broken()));
          }
        });
  }
}
