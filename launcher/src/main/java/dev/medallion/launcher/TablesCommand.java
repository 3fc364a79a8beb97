package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.table.TableSpec;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code tables}: every table and its layout, or the manifest the DAGs read. */
final class TablesCommand implements Command {
  private static final String JSON = "json";

  @Override
  public String commandName() {
    return "tables";
  }

  @Override
  public String description() {
    return "list every table: SQL name, location under the root and layout";
  }

  @Override
  public void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(JSON)
            .desc(
                "print the manifest the Airflow DAGs read"
                    + " (airflow-dags/dags/medallion_dags/tables.json)")
            .get());
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    if (line.hasOption(JSON)) {
      out.print(TableCatalog.of(config).manifest());
      return;
    }
    out.printf("%-28s %-28s %-16s %s%n", "table", "location", "partitioned by", "z-order");
    for (TableSpec table : TableCatalog.of(config).all()) {
      out.printf(
          "%-28s %-28s %-16s %s%n",
          table.sqlName(),
          "<root>/" + table.relativePath(),
          String.join(",", table.partitionBy()),
          String.join(",", table.zOrder()));
    }
  }
}
