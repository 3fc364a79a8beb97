package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A gold table's SQL file is read into the declaration the job runs, and every statement that is
 * not a grouped read of silver.events, or whose grain cannot be kept, is refused before a session
 * exists. The probes are an attacker's: other tables, paths, functions that read files, subqueries
 * in every clause, other statements.
 */
class GoldStatementTest {
  private static final String HEADER =
      "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'day', events BIGINT COMMENT"
          + " 'events') COMMENT 'events per day' AS ";

  @Test
  void aSingleGroupedSelectDeclaresKeysAggregatesAndColumnsInItsOrder() {
    GoldTable table =
        GoldStatement.parse(
            "t.sql",
            "CREATE MATERIALIZED VIEW gold.t (\n"
                + "  event_type STRING COMMENT 'type',\n"
                + "  views BIGINT COMMENT 'views',\n"
                + "  event_date DATE COMMENT 'day'\n"
                + ") COMMENT 'views per type and day'\n"
                + "TBLPROPERTIES ('medallion.zorder' = 'event_date, event_type')\n"
                + "AS SELECT event_type, count(*) AS views, event_date\n"
                + "FROM silver.events WHERE event_type = 'page_view'\n"
                + "GROUP BY event_type, event_date");
    assertThat(table.name()).isEqualTo("t");
    assertThat(table.grain()).isEqualTo(TimeGrain.DAY);
    assertThat(table.unitColumn()).isEqualTo("event_date");
    assertThat(table.groupBy()).containsExactly("event_date", "event_type");
    assertThat(table.aggregates()).containsExactly("count(*) AS views");
    assertThat(table.silverFilter()).isEqualTo("event_type = 'page_view'");
    assertThat(table.select()).containsExactly("event_type", "views", "event_date");
    assertThat(table.columns().get(1).type()).isEqualTo(DataTypes.LongType);
    assertThat(table.columnDescriptions()).containsEntry("event_date", "day");
    assertThat(table.clusterBy()).containsExactly("event_date", "event_type");
    assertThat(table.description()).isEqualTo("views per type and day");
  }

  @Test
  void anOuterSelectComputesColumnsOverTheGroupedRows() {
    GoldTable table =
        GoldStatement.parse(
            "t.sql",
            "CREATE MATERIALIZED VIEW gold.t (session_id STRING COMMENT 's', events BIGINT COMMENT"
                + " 'e', seconds BIGINT COMMENT 'd', long_session BOOLEAN COMMENT 'l')\n"
                + "COMMENT 'sessions'\n"
                + "AS SELECT *, seconds > 600 AS long_session FROM (\n"
                + "  SELECT session_id AS session_id, count(*) AS events,\n"
                + "    max(unix_seconds(event_time)) - min(unix_seconds(event_time)) AS seconds\n"
                + "  FROM silver.events GROUP BY 1)");
    assertThat(table.grain()).isEqualTo(EntityGrain.SESSION);
    assertThat(table.aggregates())
        .containsExactly(
            "count(*) AS events",
            "max(unix_seconds(event_time)) - min(unix_seconds(event_time)) AS seconds");
    assertThat(table.select())
        .containsExactly("session_id", "events", "seconds", "seconds > 600 AS long_session");
  }

  @Test
  void theGrainIsTheFirstGrainKeyOrTheDeclaredOne() {
    String select =
        " AS SELECT event_date, user_id, count(*) AS events FROM silver.events GROUP BY"
            + " event_date, user_id";
    String columns =
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd', user_id STRING COMMENT"
            + " 'u', events BIGINT COMMENT 'e') COMMENT 'events per user and day'";
    assertThat(GoldStatement.parse("t.sql", columns + select).grain()).isEqualTo(TimeGrain.DAY);
    GoldTable byUser =
        GoldStatement.parse(
            "t.sql", columns + " TBLPROPERTIES ('medallion.grain' = 'user_id')" + select);
    assertThat(byUser.grain()).isEqualTo(EntityGrain.USER);
    assertThat(byUser.groupBy()).containsExactly("user_id", "event_date");
  }

  @Test
  void everyBundledTableIsReadWithItsGrainAndLayout() {
    GoldTable hourly = GoldTables.bundled("hourly_revenue");
    assertThat(hourly.grain()).isEqualTo(TimeGrain.HOUR);
    assertThat(hourly.groupBy())
        .containsExactly("event_hour AS window_start", "event_type AS event_type");
    assertThat(hourly.select()).contains("window_start + INTERVAL 1 HOUR AS window_end");
    assertThat(GoldTables.bundled("daily_category_sales").silverFilter())
        .isEqualTo("event_type = 'purchase'");
    // The parser's origin of IS NOT NULL is "IS NOT NULL" alone: the text is read back whole.
    assertThat(GoldTables.bundled("sessions").silverFilter()).isEqualTo("session_id IS NOT NULL");
    assertThat(GoldTables.bundled("user_features_known").grain()).isEqualTo(EntityGrain.USER);
    assertThat(GoldTables.bundled("user_features_known").partitionBy())
        .containsExactly("as_of_date");
    assertThat(GoldTables.bundled().names())
        .isEqualTo(
            "daily_category_sales, daily_funnel, hourly_revenue, sessions, user_features,"
                + " user_features_known");
  }

  /** Statements that read something other than silver.events, or are no table at all. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT 1|it is not a CREATE MATERIALIZED VIEW",
        "DROP TABLE gold.hourly_revenue|it is not a CREATE MATERIALIZED VIEW",
        "CREATE TABLE gold.t AS SELECT event_date FROM silver.events|it is not a CREATE"
            + " MATERIALIZED VIEW",
        "INSERT INTO gold.hourly_revenue SELECT * FROM silver.events|it is not a CREATE"
            + " MATERIALIZED VIEW",
        "CREATE MATERIALIZED VIEW silver.events AS SELECT event_date, count(*) AS events FROM"
            + " silver.events GROUP BY event_date|it creates silver.events",
        "CREATE MATERIALIZED VIEW spark_catalog.gold.t AS SELECT event_date, count(*) AS events"
            + " FROM silver.events GROUP BY event_date|it creates spark_catalog.gold.t",
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd') COMMENT 'x' LOCATION"
            + " '/tmp/elsewhere' AS SELECT event_date, count(*) AS events FROM silver.events GROUP"
            + " BY event_date|Specifying location is not supported",
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd') USING parquet COMMENT 'x'"
            + " AS SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date|it"
            + " gives a LOCATION or USING",
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd') COMMENT 'x' TBLPROPERTIES"
            + " ('delta.appendOnly' = 'true') AS SELECT event_date, count(*) AS events FROM"
            + " silver.events GROUP BY event_date|it sets [delta.appendOnly]",
      })
  void aStatementThatIsNotAGoldTableIsRefused(String sql, String why) {
    assertRefused(sql, why);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gold.hourly_revenue|it reads gold.hourly_revenue",
        "silver.quarantine|it reads silver.quarantine",
        "bronze.events|it reads bronze.events",
        "spark_catalog.silver.events|it reads spark_catalog.silver.events",
        "delta.`/tmp/lakehouse/gold/hourly_revenue`|it reads"
            + " delta./tmp/lakehouse/gold/hourly_revenue",
        "parquet.`/etc`|it reads parquet./etc",
        "json.`/etc/passwd`|it reads json./etc/passwd",
        "silver.events e|it reads a SubqueryAlias",
        "silver.events JOIN gold.sessions USING (session_id)|it reads a Join",
        "silver.events, gold.sessions|it reads a Join",
        "range(10)|it reads a UnresolvedTableValuedFunction",
        "read_files('/etc/passwd')|it reads a UnresolvedTableValuedFunction",
        "IDENTIFIER('gold.sessions')|it reads gold.sessions",
        "(SELECT * FROM gold.sessions)|it reads a SubqueryAlias",
        "(SELECT * FROM silver.events UNION ALL SELECT * FROM silver.events)|it reads a"
            + " SubqueryAlias",
        "silver.events TIMESTAMP AS OF '2020-01-01'|it reads a RelationTimeTravel",
        "silver.events LATERAL VIEW explode(array(1)) x AS y|it reads a Generate",
      })
  void aReadOfAnythingButSilverEventsIsRefused(String from, String why) {
    assertRefused(
        HEADER + "SELECT event_date, count(*) AS events FROM " + from + " GROUP BY 1", why);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT event_date, count(*) AS events FROM silver.events WHERE user_id IN (SELECT user_id"
            + " FROM gold.sessions) GROUP BY event_date|has a subquery",
        "SELECT event_date, count(*) AS events FROM silver.events WHERE EXISTS (SELECT 1 FROM"
            + " bronze.events) GROUP BY event_date|has a subquery",
        "SELECT event_date, (SELECT count(*) FROM gold.sessions) AS events FROM silver.events GROUP"
            + " BY event_date|has a subquery",
        "SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date, (SELECT 1"
            + " FROM gold.sessions)|has a subquery",
        "SELECT event_date, events + (SELECT max(events) FROM gold.sessions) AS events FROM (SELECT"
            + " event_date, count(*) AS events FROM silver.events GROUP BY event_date)|has a"
            + " subquery",
        "WITH x AS (SELECT * FROM gold.sessions) SELECT event_date, count(*) AS events FROM"
            + " silver.events GROUP BY event_date|where a grouped SELECT is expected",
        "SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date ORDER BY"
            + " 1|where a grouped SELECT is expected",
        "SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date HAVING"
            + " count(*) > 1|where a grouped SELECT is expected",
        "SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date LIMIT"
            + " 1|where a grouped SELECT is expected",
        "SELECT event_date, count(*) AS events FROM silver.events GROUP BY event_date; DROP TABLE"
            + " gold.sessions|it is not SQL Spark parses",
      })
  void aSubqueryOrAnotherClauseIsRefused(String query, String why) {
    assertRefused(HEADER + query, why);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT event_type AS event_date, count(*) AS events FROM silver.events GROUP BY"
            + " event_type|its grain cannot be found",
        "SELECT date_trunc('DAY', event_time) AS event_date, count(*) AS events FROM silver.events"
            + " GROUP BY 1|its grain cannot be found",
        "SELECT count(*) AS events FROM silver.events GROUP BY event_date|its GROUP BY key"
            + " event_date is not selected",
        "SELECT event_date, count(*) AS events FROM silver.events|its query is a Project where a"
            + " grouped SELECT is expected",
        "SELECT event_date, count(*) FROM silver.events GROUP BY event_date|has no name",
        "SELECT count(*) AS events FROM silver.events|where a grouped SELECT is expected",
        "SELECT event_date, sum(count(*)) OVER () AS events FROM silver.events GROUP BY"
            + " event_date|has a window function",
        "SELECT event_date, sum(n) OVER (ORDER BY event_date) AS events FROM (SELECT event_date,"
            + " count(*) AS n FROM silver.events GROUP BY event_date)|does not PARTITION BY the"
            + " grain's key",
        "SELECT event_date, n AS events FROM (SELECT event_date, event_type, count(*) AS n FROM"
            + " silver.events GROUP BY event_date, event_type)|its GROUP BY key event_type is not a"
            + " column of the table",
      })
  void aGrainThatCannotBeKeptIsRefused(String query, String why) {
    assertRefused(HEADER + query, why);
  }

  @Test
  void aDeclarationWithoutItsColumnsOrCommentsIsRefused() {
    String query = " AS SELECT event_date, count(*) AS events FROM silver.events GROUP BY 1";
    assertRefused(
        "CREATE MATERIALIZED VIEW gold.t COMMENT 'x'" + query, "it declares the columns []");
    assertRefused(
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd', events BIGINT)"
            + " COMMENT 'x'"
            + query,
        "its column events has no COMMENT");
    assertRefused(
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd', events BIGINT COMMENT 'e')"
            + query,
        "it has no COMMENT '...' saying what a row of the table is");
    assertRefused(
        "CREATE MATERIALIZED VIEW gold.t (event_date DATE COMMENT 'd', events BIGINT COMMENT 'e')"
            + " COMMENT 'x' TBLPROPERTIES ('medallion.grain' = 'user_id')"
            + query,
        "medallion.grain is 'user_id', which is not one of its GROUP BY keys");
  }

  private static void assertRefused(String sql, String why) {
    assertThatThrownBy(() -> GoldStatement.parse("tables/t.sql", sql))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Cannot declare the gold table of tables/t.sql: ")
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
