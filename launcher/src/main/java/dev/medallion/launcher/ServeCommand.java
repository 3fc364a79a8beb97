package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code serve}: the tables over HiveServer2 and Spark Connect ({@link SqlServer}). */
final class ServeCommand implements Command {
  private static final String ALLOW_WRITES = "allow-writes";

  @Override
  public String commandName() {
    return "serve";
  }

  @Override
  public String description() {
    return "serve SQL to BI tools and notebooks: HiveServer2 (JDBC/ODBC) and Spark Connect";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(ALLOW_WRITES)
            .desc(
                "let clients run statements that change tables (not under the layers' locks:"
                    + " for scratch tables, never while layer jobs run)")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    SqlServer.run(config, line.hasOption(ALLOW_WRITES), out);
  }
}
