package dev.medallion.launcher;

import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.ledger.RunLedger;
import dev.medallion.common.table.TableLocations;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * Registers the lakehouse's tables in the session catalog under the schemas {@code bronze}, {@code
 * silver} and {@code gold}, and the run ledger as {@code ops.runs}, so SQL can name them ({@code
 * gold.hourly_revenue}). The registration points at the tables' locations; nothing is copied.
 */
final class SqlCatalog {
  /** The run ledger's SQL name. */
  static final String LEDGER = "ops." + RunLedger.NAME;

  /** Every schema: the three layers' and the run ledger's. */
  static final Set<String> SCHEMAS = Set.of("bronze", "silver", "gold", "ops");

  private SqlCatalog() {}

  /** Every table name and its location under the root, bronze first. */
  static Map<String, String> tables(TableCatalog catalog, TableLocations locations) {
    Map<String, String> byName = new LinkedHashMap<>();
    catalog.all().forEach(table -> byName.put(table.sqlName(), locations.of(table)));
    return byName;
  }

  /**
   * Registers the tables of {@code served} schemas (the run ledger's is {@code ops}) that exist and
   * are not registered yet; returns how many are registered.
   */
  static int register(
      SparkSession spark, TableCatalog catalog, TableLocations locations, Set<String> served) {
    int registered = 0;
    Set<String> schemas = new HashSet<>();
    Map<String, String> all = tables(catalog, locations);
    all.put(LEDGER, locations.ops(RunLedger.NAME));
    all.keySet().removeIf(name -> !served.contains(schemaOf(name)));
    for (Map.Entry<String, String> table : all.entrySet()) {
      if (spark.catalog().tableExists(table.getKey())) {
        registered++;
        continue;
      }
      if (DeltaTables.version(spark, table.getValue()) == DeltaTables.NO_VERSION) {
        continue;
      }
      String schema = schemaOf(table.getKey());
      if (schemas.add(schema) && !spark.catalog().databaseExists(schema)) {
        spark.sql("CREATE SCHEMA IF NOT EXISTS " + schema);
      }
      spark.sql(
          "CREATE TABLE IF NOT EXISTS "
              + table.getKey()
              + " USING delta LOCATION '"
              + table.getValue().replace("'", "\\'")
              + "'");
      registered++;
    }
    return registered;
  }

  private static String schemaOf(String sqlName) {
    return sqlName.substring(0, sqlName.indexOf('.'));
  }
}
