package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.error.MedallionException;
import dev.medallion.launcher.readonly.ReadOnlySessions.ReadOnlyViolation;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The read-only check of {@code sql} (and {@code serve}: the same check) over small real Delta
 * tables: queries analysts write are answered, and every probe of a hostile client is refused with
 * a line naming what was refused, before anything runs.
 */
class ReadOnlySqlTest {
  private static final String HOURLY = "gold.hourly_revenue";
  @TempDir static Path root;
  private static SparkSession spark;
  private static MedallionConfig config;

  @BeforeAll
  static void start() {
    config = ReadOnlySql.sessionConfig(TestSpark.config(Map.of("lakehouse.root", root.toString())));
    spark = TestSpark.session(config);
    ReadOnlySql.query(spark, config, "SHOW TABLES"); // guards the application's other sessions
    save(
        "SELECT timestamp'2026-01-01 00:00:00' + make_interval(0, 0, 0, 0, id % 24) AS"
            + " window_start, IF(id % 2 = 0, 'view', 'purchase') AS event_type, id AS"
            + " event_count, CAST(id AS DECIMAL(18, 2)) AS total_revenue FROM range(48)",
        "gold/hourly_revenue");
    save(
        "SELECT CAST(id AS STRING) AS event_id, id % 5 AS user_id FROM range(10)", "silver/events");
    save("SELECT '10' AS event_id, 0L AS user_id", "silver/events");
    save("SELECT 'x' AS value", "bronze/events");
  }

  /** Appends the rows of {@code query} to the Delta table at {@code table} under the root. */
  private static void save(String query, String table) {
    spark.sql(query).write().format("delta").mode("append").save(root.resolve(table).toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT count(*) FROM gold.hourly_revenue | 48",
        "SELECT sum(total_revenue) FROM gold.hourly_revenue WHERE event_type = 'view' | 552.00",
        "WITH t AS (SELECT user_id FROM silver.events) SELECT count(DISTINCT user_id) FROM t | 5",
        "SELECT count(*) FROM silver.events WHERE event_id IN (SELECT event_id FROM silver.events)"
            + " | 11",
        "SELECT max(r) FROM (SELECT rank() OVER (PARTITION BY event_type ORDER BY total_revenue)"
            + " AS r FROM gold.hourly_revenue) | 24",
        "SELECT count(*) FROM gold.hourly_revenue GROUP BY ROLLUP (event_type) HAVING"
            + " event_type IS NULL | 48",
        "SELECT date_format(max(window_start), 'yyyy-MM-dd HH') FROM gold.hourly_revenue"
            + " | 2026-01-01 23",
        "SELECT size(collect_set(event_type)) FROM gold.hourly_revenue VERSION AS OF 0 | 2",
        "SELECT count(*) FROM (SELECT explode(array(1, 2, 3))) | 3",
        "SELECT sum(id) FROM range(5) | 10",
        "EXECUTE IMMEDIATE 'SELECT count(*) FROM silver.events' | 11",
        "SELECT aggregate(array(1, 2), 0, (acc, x) -> acc + x) | 3",
        "SELECT count(*) FROM bronze.events | 1",
      })
  void queriesAreAnsweredAsTheTablesHold(String sql, String expected) {
    assertThat(String.valueOf(ReadOnlySql.query(spark, config, sql).first().get(0)))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SHOW TABLES IN gold",
        "SHOW SCHEMAS",
        "SHOW COLUMNS IN gold.hourly_revenue",
        "SHOW TBLPROPERTIES gold.hourly_revenue",
        "SHOW FUNCTIONS",
        "DESCRIBE TABLE gold.hourly_revenue",
        "DESCRIBE HISTORY silver.events",
        "DESCRIBE DETAIL silver.events",
        "DESCRIBE FUNCTION abs",
        "EXPLAIN SELECT * FROM gold.hourly_revenue",
        "USE gold",
        "SET",
        "SET spark.sql.session.timeZone",
        "SET spark.sql.session.timeZone = UTC",
      })
  void showingAndDescribingIsAllowed(String sql) {
    assertThat(ReadOnlySql.query(spark, config, sql).collectAsList()).isNotNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "INSERT INTO gold.hourly_revenue SELECT * FROM gold.hourly_revenue | AppendData",
        "INSERT OVERWRITE gold.hourly_revenue SELECT * FROM gold.hourly_revenue"
            + " | OverwriteByExpression",
        "DELETE FROM silver.events WHERE event_id = 'x' | DeleteCommand",
        "UPDATE gold.hourly_revenue SET event_count = 0 | UpdateCommand",
        "MERGE INTO silver.events t USING silver.events s ON t.event_id = s.event_id WHEN MATCHED"
            + " THEN DELETE | MergeIntoCommand",
        "CREATE TABLE gold.copy USING delta AS SELECT * FROM gold.hourly_revenue"
            + " | CreateTableAsSelect",
        "DROP TABLE gold.hourly_revenue | DropTable",
        "ALTER TABLE gold.hourly_revenue SET TBLPROPERTIES ('a' = 'b') | SetTableProperties",
        "TRUNCATE TABLE gold.hourly_revenue | TruncateDeltaTableCommand",
        "VACUUM silver.events RETAIN 0 HOURS | VacuumTableCommand",
        "OPTIMIZE silver.events | OptimizeTableCommand",
        "RESTORE TABLE silver.events TO VERSION AS OF 0 | RestoreTableCommand",
        "CACHE TABLE gold.hourly_revenue | CacheTable",
        "UNCACHE TABLE gold.hourly_revenue | UncacheTable",
        "CLEAR CACHE | ClearCacheCommand",
        "REFRESH TABLE gold.hourly_revenue | RefreshTable",
        "CREATE TEMPORARY VIEW v AS SELECT 1 | CreateViewCommand",
        "CREATE TEMPORARY FUNCTION f AS 'java.lang.String' | CreateFunctionCommand",
        "CREATE FUNCTION g(x INT) RETURNS INT RETURN x + 1 | CreateSQLFunctionCommand",
        "ADD JAR /tmp/x.jar | AddJarsCommand",
        "ADD FILE /etc/hostname | AddFilesCommand",
        "LIST FILES | ListFilesCommand",
        "DECLARE VARIABLE v INT DEFAULT 1 | CreateVariable",
        "RESET | ResetCommand",
        "SET spark.sql.runSQLOnFiles = true | SET spark.sql.runSQLOnFiles",
        "SET spark.redaction.regex = nothing | SET spark.redaction.regex",
        "SELECT TRANSFORM(1) USING 'sh -c \"id > /tmp/medallion-probe\"' AS (x)"
            + " | ScriptTransformation",
        "SELECT reflect('java.lang.System', 'getenv', 'HOME') | reflect (CallMethodViaReflection)",
        "SELECT java_method('java.lang.System', 'getenv', 'HOME') | CallMethodViaReflection",
        "SELECT try_reflect('java.lang.Runtime', 'getRuntime') | try_reflect",
        "SELECT IDENTIFIER('reflect')('java.lang.System', 'getenv', 'HOME')"
            + " | CallMethodViaReflection",
        "SELECT * FROM table_changes_by_path('LAKEHOUSE/gold/hourly_revenue', 0) | by path",
        "DESCRIBE QUERY SELECT 1 | DescribeQueryCommand",
        "EXPLAIN EXECUTE IMMEDIATE 'DELETE FROM gold.hourly_revenue' | DeleteCommand",
        "EXPLAIN SELECT reflect('java.lang.System', 'getenv', 'HOME') | CallMethodViaReflection",
        "EXECUTE IMMEDIATE 'INSERT INTO gold.hourly_revenue SELECT * FROM gold.hourly_revenue'"
            + " | AppendData",
        "EXECUTE IMMEDIATE 'SELECT reflect(''java.lang.System'', ''getenv'', ''HOME'')'"
            + " | CallMethodViaReflection",
        "SELECT 1 FROM gold.hourly_revenue WHERE EXISTS (SELECT reflect('java.lang.System',"
            + " 'getenv', 'HOME')) | CallMethodViaReflection",
        "CONVERT TO DELTA parquet.`/tmp/x` | ConvertToDeltaCommand",
        "CREATE TABLE gold.c SHALLOW CLONE gold.hourly_revenue | CreateDeltaTableCommand",
      })
  void everythingElseIsRefusedAndNamed(String sql, String named) {
    long version = version();
    String statement = sql.replace("LAKEHOUSE", root.toString());
    assertThatThrownBy(() -> ReadOnlySql.query(spark, config, statement).collectAsList())
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Cannot run this statement: sql is read-only and does not run ")
        .hasMessageContaining(named)
        .hasMessageEndingWith("; pass --allow-writes to run it while no layer job runs");
    assertThat(version()).isEqualTo(version);
    assertThat(silverVersion()).isEqualTo(1);
    assertThat(Path.of("/tmp/medallion-probe")).doesNotExist();
  }

  @Test
  void aSessionWhoseSettingsWereChangedAnotherWayIsRefused() {
    SparkSession client = spark.newSession();
    client.conf().set("spark.sql.runSQLOnFiles", "true");
    assertThatThrownBy(() -> client.sql("SELECT 1").collectAsList())
        .isInstanceOf(ReadOnlyViolation.class)
        .hasMessageContaining("a session whose settings were changed (spark.sql.runSQLOnFiles)");
    SparkSession other = spark.newSession();
    other.conf().set("spark.sql.legacy.allowHashOnMapType", "true");
    assertThatThrownBy(() -> other.sql("SELECT 1").collectAsList())
        .hasMessageContaining("spark.sql.legacy.allowHashOnMapType");
    SparkSession zoned = spark.newSession();
    zoned.conf().set("spark.sql.session.timeZone", "America/New_York");
    assertThat(zoned.sql("SELECT 1").first().getInt(0)).isEqualTo(1);
  }

  /** XML built-ins are answered, but resolve no external entity: no server file comes back. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT xpath_string('<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<a>x&e;</a>', 'a')",
        "SELECT CAST(from_xml('<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<a><b>x&e;</b></a>', 'b STRING') AS STRING)",
      })
  void xmlFunctionsReadNoFileOfTheServer(String sql) {
    String answer = String.valueOf(ReadOnlySql.query(spark, config, sql).first().get(0));
    assertThat(answer).doesNotContain("root:");
  }

  /**
   * Every example of every built-in function in Spark's own documentation (its {@code
   * ExpressionInfo}) is answered, except those of the functions that call Java methods: probes the
   * allowlist was not written from.
   */
  @Test
  void everyBuiltInFunctionsExamplesAreAnsweredButReflection() {
    List<String> refused = new ArrayList<>();
    int judged = 0;
    Pattern example = Pattern.compile("> (SELECT .*?);\\s*$", Pattern.MULTILINE);
    for (var entry :
        CollectionConverters.asJava(FunctionRegistry$.MODULE$.expressions()).entrySet()) {
      Matcher matcher = example.matcher(entry.getValue()._1().getExamples());
      while (matcher.find()) {
        try {
          spark.newSession().sql(matcher.group(1));
          judged++;
        } catch (Exception e) {
          // An example that does not analyze here (an error it documents) says nothing.
          if (e instanceof ReadOnlyViolation) {
            refused.add(entry.getKey() + ": " + e.getMessage());
          }
        }
      }
    }
    assertThat(judged).isGreaterThan(500);
    assertThat(refused)
        .allSatisfy(
            line -> assertThat(line).matches("(reflect|java_method|try_reflect): .*Reflect.*"));
    assertThat(refused).hasSizeGreaterThanOrEqualTo(3);
  }

  private static long silverVersion() {
    return io.delta.tables.DeltaTable.forPath(spark, root.resolve("silver/events").toString())
            .history()
            .count()
        - 1;
  }

  private static long version() {
    return io.delta.tables.DeltaTable.forPath(spark, root.resolve("gold/hourly_revenue").toString())
        .history()
        .count();
  }
}
