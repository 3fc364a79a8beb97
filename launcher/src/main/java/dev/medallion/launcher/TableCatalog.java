package dev.medallion.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.medallion.common.CoreTables;
import dev.medallion.common.TableSpec;
import dev.medallion.gold.GoldTable;
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

  private TableCatalog() {}

  /** Every table, bronze first. */
  static List<TableSpec> all() {
    List<TableSpec> tables = new ArrayList<>(CoreTables.ALL);
    GoldTables.ALL.stream().map(GoldTable::spec).forEach(tables::add);
    return List.copyOf(tables);
  }

  /** The table with this SQL name, e.g. {@code gold.hourly_revenue}. */
  static Optional<TableSpec> named(String sqlName) {
    return all().stream().filter(table -> table.sqlName().equals(sqlName)).findFirst();
  }

  /** Every SQL name, comma-separated, for messages. */
  static String sqlNames() {
    return String.join(", ", all().stream().map(TableSpec::sqlName).toList());
  }

  /**
   * The manifest Airflow reads ({@code airflow-dags/dags/medallion_dags/tables.json}): each table's
   * SQL name, layer, name, location under the root and layout.
   */
  static String manifest() {
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
    try {
      return JSON.writeValueAsString(Map.of("tables", tables)).replace("\r\n", "\n") + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot write the table manifest", e);
    }
  }
}
