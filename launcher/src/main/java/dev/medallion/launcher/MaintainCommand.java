package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code maintain}: OPTIMIZE and VACUUM one table ({@link Maintenance}). */
final class MaintainCommand implements Command {
  private static final String TABLE = "table";
  private static final String RETENTION_HOURS = "retention-hours";
  private static final String ALLOW_UNSAFE_RETENTION = "allow-unsafe-retention";

  @Override
  public String commandName() {
    return "maintain";
  }

  @Override
  public String description() {
    return "OPTIMIZE (Z-ordered as each table declares) and VACUUM one table";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(TABLE)
            .hasArg()
            .argName("NAME")
            .desc("table to maintain, e.g. silver.events or gold.hourly_revenue")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(RETENTION_HOURS)
            .hasArg()
            .argName("HOURS")
            .desc("VACUUM retention (default and minimum " + Maintenance.SAFE_RETENTION_HOURS + ")")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(ALLOW_UNSAFE_RETENTION)
            .desc("allow a retention below " + Maintenance.SAFE_RETENTION_HOURS + " hours")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    String table = line.getOptionValue(TABLE);
    TableCatalog catalog = TableCatalog.of(config);
    if (table == null) {
      throw Errors.usage(
          "maintain needs --table; tables: "
              + String.join(", ", Maintenance.zOrderColumns(catalog).keySet()));
    }
    int retention = retentionHours(line);
    boolean unsafe = line.hasOption(ALLOW_UNSAFE_RETENTION);
    Maintenance.validate(catalog, table, retention, unsafe);
    LayerRuns.runAlone(
        "maintain",
        Maintenance.job(config, table, retention, unsafe),
        config,
        (spark, maintained) -> out.println(maintained));
  }

  private static int retentionHours(CommandLine line) {
    String value =
        line.getOptionValue(RETENTION_HOURS, String.valueOf(Maintenance.SAFE_RETENTION_HOURS));
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw Errors.usage(
          "Invalid value '" + value + "' for --retention-hours: expected a number of hours");
    }
  }
}
