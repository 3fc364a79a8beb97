package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.testkit.testing.TestSpark;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Statements are told apart by parsing only: nothing here needs a table to exist. */
class ReadOnlySqlTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM gold.hourly_revenue",
        "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
        "SELECT count(*) FROM silver.events WHERE event_id IN (SELECT event_id FROM silver.events)",
        "SHOW TABLES IN gold",
        "DESCRIBE TABLE gold.daily_funnel",
        "DESCRIBE HISTORY silver.events",
        "EXPLAIN SELECT 1"
      })
  void queriesAreReadOnly(String sql) {
    assertThat(ReadOnlySql.firstWrite(spark, sql)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INSERT INTO silver.events SELECT * FROM silver.events",
        "INSERT OVERWRITE gold.hourly_revenue SELECT * FROM gold.hourly_revenue",
        "WITH t AS (SELECT 1 AS x) INSERT INTO gold.t SELECT x FROM t",
        "DELETE FROM silver.events WHERE event_id = 'x'",
        "UPDATE gold.daily_funnel SET sessions_viewed = 0",
        "MERGE INTO silver.events t USING silver.events s ON t.event_id = s.event_id WHEN MATCHED"
            + " THEN DELETE",
        "CREATE TABLE gold.copy AS SELECT * FROM gold.hourly_revenue",
        "DROP TABLE gold.hourly_revenue",
        "ALTER TABLE gold.hourly_revenue SET TBLPROPERTIES ('a' = 'b')",
        "TRUNCATE TABLE gold.hourly_revenue",
        "VACUUM silver.events RETAIN 0 HOURS",
        "OPTIMIZE silver.events",
        "RESTORE TABLE silver.events TO VERSION AS OF 1",
        "CONVERT TO DELTA parquet.`/tmp/x`",
        "CREATE TABLE gold.c SHALLOW CLONE gold.hourly_revenue",
        "REORG TABLE silver.events APPLY (PURGE)",
        "CACHE TABLE gold.hourly_revenue",
        "SET spark.sql.session.timeZone = America/New_York"
      })
  void writesAreNamed(String sql) {
    assertThat(ReadOnlySql.firstWrite(spark, sql)).isPresent();
  }
}
