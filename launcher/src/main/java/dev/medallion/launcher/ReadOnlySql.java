package dev.medallion.launcher;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.Errors;
import dev.medallion.common.table.TableLocations;
import dev.medallion.launcher.readonly.ReadOnlySessions;
import dev.medallion.launcher.readonly.ReadOnlySessions.ReadOnlyViolation;
import dev.medallion.launcher.readonly.SessionSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bin/medallion sql} without {@code --allow-writes}: the statement runs in a session held to
 * reading the lakehouse's tables by the same check as {@code serve}'s clients ({@link
 * ReadOnlySessions}), so the command line and the endpoint cannot disagree. Writes run only when
 * asked, and then under the layers' locks, because an unlocked write races the layer jobs.
 */
final class ReadOnlySql {
  private static final String REFUSED_BY = "Cannot run this statement: sql is read-only and";

  private ReadOnlySql() {}

  /** {@code config} with the read-only check and the session invariants it verifies. */
  static MedallionConfig sessionConfig(MedallionConfig config) {
    Map<String, String> conf = new LinkedHashMap<>(SessionSettings.INVARIANTS);
    conf.put("spark.sql.extensions", ReadOnlySessions.extensions());
    return ConfigLoader.withSets(config, conf);
  }

  /**
   * Registers the tables with {@code spark}, then analyzes {@code statement} in a new session of it
   * that may only read them; a refusal is a usage error naming what was refused.
   */
  static Dataset<Row> query(SparkSession spark, MedallionConfig config, String statement) {
    TableLocations locations = config.tables();
    // The refusal is the command's error line: nothing to log besides.
    ReadOnlySessions.guard(spark, SqlCatalog.SCHEMAS, REFUSED_BY, refused -> {});
    SqlCatalog.register(spark, TableCatalog.of(config), locations, SqlCatalog.SCHEMAS);
    try {
      return spark.newSession().sql(statement);
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof ReadOnlyViolation refused) {
          throw Errors.usage(
              refused.getMessage() + "; pass --allow-writes to run it while no layer job runs");
        }
      }
      throw e;
    }
  }
}
