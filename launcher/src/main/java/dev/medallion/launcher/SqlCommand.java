package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ops.LayerRun;
import dev.medallion.gold.GoldJob;
import dev.medallion.silver.SilverJob;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code sql}: one query over the tables, read-only ({@link ReadOnlySql}) unless allowed. */
final class SqlCommand implements Command {
  private static final String FORMAT = "format";
  private static final String LIMIT = "limit";
  private static final String ALLOW_WRITES = "allow-writes";

  @Override
  public String commandName() {
    return "sql";
  }

  @Override
  public String description() {
    return "run SQL over bronze.*, silver.* and gold.* and print the result";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(FORMAT)
            .hasArg()
            .argName("FORMAT")
            .desc("table (default), csv or json")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(LIMIT)
            .hasArg()
            .argName("N")
            .desc("print at most N rows (default 1000)")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(ALLOW_WRITES)
            .desc("run a statement that changes tables, holding every layer's lock while it runs")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    if (line.getArgList().size() != 1) {
      throw Errors.usage(
          "sql takes one query, quoted: bin/medallion sql \"SELECT * FROM gold.hourly_revenue"
              + " LIMIT 10\"");
    }
    ResultPrinter printer = printer(line.getOptionValue(FORMAT, "table"));
    int limit = limit(line.getOptionValue(LIMIT, "1000"));
    String statement = line.getArgList().get(0);
    if (line.hasOption(ALLOW_WRITES)) {
      runWrite(config, statement, printer, limit, out);
      return;
    }
    Command.withSpark(
        "sql",
        ReadOnlySql.sessionConfig(config),
        spark -> printer.print(ReadOnlySql.query(spark, config, statement), limit, out));
  }

  /**
   * A statement that may change any table: under every layer's lock, taken in one order, so no job
   * races the write, and with each layer's logs kept for their readers as a job's would be.
   */
  private static void runWrite(
      MedallionConfig config, String statement, ResultPrinter printer, int limit, PrintStream out) {
    try (LayerRun bronze = LayerRun.lock(config, BronzeJob.LAYER);
        LayerRun silver = LayerRun.lock(config, SilverJob.LAYER);
        LayerRun gold = LayerRun.lock(config, GoldJob.LAYER)) {
      Command.withSpark(
          "sql",
          config,
          spark -> {
            for (LayerRun layer : List.of(bronze, silver, gold)) {
              layer.coverReaders(spark, TableCatalog.of(config).ofLayer(layer.layer()));
            }
            SqlCatalog.register(
                spark, TableCatalog.of(config), config.tables(), SqlCatalog.SCHEMAS);
            printer.print(spark.sql(statement), limit, out);
          });
    }
  }

  private static ResultPrinter printer(String format) {
    try {
      return ResultPrinter.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Errors.usage(
          "Invalid value '" + format + "' for --format: expected table, csv or json");
    }
  }

  private static int limit(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw Errors.usage("Invalid value '" + value + "' for --limit: expected a positive integer");
    }
  }
}
