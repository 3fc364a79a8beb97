package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldTables;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code trace}: the silver events, Kafka records and runs behind gold rows ({@link Trace}). */
final class TraceCommand implements Command {
  private static final String TABLE = "table";
  private static final String WHERE = "where";

  @Override
  public String commandName() {
    return "trace";
  }

  @Override
  public String description() {
    return "for the gold rows matching --where: the silver events, Kafka records and runs behind"
        + " them";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(TABLE)
            .hasArg()
            .argName("NAME")
            .desc("gold table, e.g. gold.hourly_revenue")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(WHERE)
            .hasArg()
            .argName("PREDICATE")
            .desc("SQL predicate on the gold table's columns")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    String table = line.getOptionValue(TABLE);
    String where = line.getOptionValue(WHERE);
    if (table == null || where == null) {
      throw Errors.usage(
          "trace needs --table and --where, e.g. --table gold.hourly_revenue --where"
              + " \"event_type = 'purchase' AND window_start = '2026-01-01 10:00:00'\"");
    }
    TableLocations tables = config.tables();
    GoldTables gold = GoldTables.of(config);
    Command.withSpark(
        "trace",
        config,
        spark -> out.print(Trace.text(Trace.run(spark, gold, tables, table, where), where)));
  }
}
