package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code report}: the run report, one HTML page ({@link Report}). */
final class ReportCommand implements Command {
  private static final String OUT = "out";

  @Override
  public String commandName() {
    return "report";
  }

  @Override
  public String description() {
    return "one self-contained HTML page: recent runs per layer, lag and freshness over time,"
        + " expectations, status and gold's hourly revenue";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(OUT)
            .hasArg()
            .argName("FILE")
            .desc("where to write the page (default medallion-report.html)")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    Path file = Path.of(line.getOptionValue(OUT, "medallion-report.html"));
    Command.withSpark(
        "report",
        config,
        spark -> {
          try {
            Files.writeString(
                file, Report.html(spark, config, Instant.now()), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw Errors.usage("Cannot write the report to " + file + ": " + e.getMessage());
          }
          out.println("report written to " + file.toAbsolutePath());
        });
  }
}
