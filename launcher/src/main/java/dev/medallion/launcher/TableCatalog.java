package dev.medallion.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.medallion.common.config.Expectation;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.common.ledger.LedgerColumn;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.CoreTables;
import dev.medallion.common.table.TableLocations;
import dev.medallion.common.table.TableSpec;
import dev.medallion.gold.GoldTables;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every table of the lakehouse, from the declarations each layer owns: bronze and silver in {@link
 * CoreTables}, gold in {@link GoldTables}. The SQL catalog, maintenance and the Airflow manifest
 * ({@code bin/medallion tables --json}) all take their tables from here.
 */
final class TableCatalog {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final GoldTables gold;

  private TableCatalog(GoldTables gold) {
    this.gold = gold;
  }

  /** The tables of a lakehouse run with {@code config}: gold's include {@code gold.tables.dir}. */
  static TableCatalog of(MedallionConfig config) {
    return new TableCatalog(GoldTables.of(config));
  }

  /** The tables with the bundled gold tables alone: the committed Airflow manifest's. */
  static TableCatalog bundled() {
    return new TableCatalog(GoldTables.bundled());
  }

  /**
   * Every table, bronze first; an entity table of gold is followed by the state it is kept from.
   */
  List<TableSpec> all() {
    List<TableSpec> tables = new ArrayList<>(CoreTables.ALL);
    gold.all().stream().flatMap(table -> table.specs().stream()).forEach(tables::add);
    return List.copyOf(tables);
  }

  /** The tables of {@code layer}: what a run of the layer, or maintenance, may write. */
  List<TableSpec> ofLayer(String layer) {
    return all().stream().filter(table -> table.layer().equals(layer)).toList();
  }

  /** The table with this SQL name, e.g. {@code gold.hourly_revenue}. */
  Optional<TableSpec> named(String sqlName) {
    return all().stream().filter(table -> table.sqlName().equals(sqlName)).findFirst();
  }

  /**
   * Refuses an expectation on a table that does not exist or cannot have one: expectations judge
   * the rows silver and gold write (bronze keeps every record as it came; the quarantine keeps the
   * records that failed).
   */
  static void checkExpectations(MedallionConfig config) {
    List<String> judged = new ArrayList<>();
    judged.add(CoreTables.SILVER_EVENTS.sqlName());
    GoldTables.of(config).all().forEach(table -> judged.add(table.spec().sqlName()));
    for (Expectation expectation : Expectation.declared(config)) {
      if (!judged.contains(expectation.table())) {
        throw Errors.usage(
            String.format(
                "Cannot declare the expectation %s: %s is not a table expectations apply to;"
                    + " they apply to %s",
                expectation.key(), expectation.table(), String.join(", ", judged)));
      }
    }
  }

  /**
   * The manifest Airflow reads ({@code airflow-dags/dags/medallion_dags/tables.json}): each table's
   * SQL name, layer, name, location under the root and layout, and the run ledger's location and
   * columns (by the name of their constant, so that the DAGs spell no column's name).
   */
  String manifest() {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (TableSpec table : all()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("sql_name", table.sqlName());
      entry.put("layer", table.layer());
      entry.put("name", table.name());
      entry.put("path", table.relativePath());
      entry.put("partition_by", table.partitionBy());
      entry.put("z_order", table.zOrder());
      tables.add(entry);
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    for (LedgerColumn column : LedgerColumn.values()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", column.column());
      entry.put("description", column.description());
      columns.put(column.name(), entry);
    }
    Map<String, Object> ledger = new LinkedHashMap<>();
    ledger.put("path", TableLocations.opsPath(RunLedger.NAME));
    ledger.put("columns", columns);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("tables", tables);
    manifest.put("ledger", ledger);
    try {
      return JSON.writeValueAsString(manifest).replace("\r\n", "\n") + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot write the table manifest", e);
    }
  }
}
