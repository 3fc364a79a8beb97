package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.TableLocations;
import dev.medallion.sample.events.GroundTruth;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Asserts that the gold tables under a lakehouse equal {@link ExpectedGold} of the generator's
 * truth.
 */
public final class GoldAssertions {
  private GoldAssertions() {}

  public static void assertGoldEquals(
      SparkSession spark, TableLocations tables, GroundTruth truth) {
    ExpectedGold expected = ExpectedGold.of(truth, ingestDays(spark, tables));
    Map<String, String> hourly = new TreeMap<>();
    Map<String, BigDecimal> averages = new TreeMap<>();
    for (Row r :
        gold(spark, tables, "hourly_revenue")
            .selectExpr(
                "unix_millis(window_start)",
                "event_type",
                "unix_millis(window_end)",
                "event_count",
                "total_revenue",
                "unique_users",
                "avg_order_value")
            .collectAsList()) {
      String key = r.getLong(0) + "|" + r.getString(1);
      assertThat(
              hourly.put(
                  key,
                  r.getLong(2)
                      + "|"
                      + r.getLong(3)
                      + "|"
                      + r.getDecimal(4).setScale(6).toPlainString()
                      + "|"
                      + r.getLong(5)))
          .as("one row per hour and type")
          .isNull();
      averages.put(key, r.isNullAt(6) ? null : r.getDecimal(6));
    }
    assertThat(hourly).isEqualTo(expected.hourlyRevenue);
    assertClose(averages, expected.hourlyAverage, "average");

    Map<String, String> sales = new TreeMap<>();
    gold(spark, tables, "daily_category_sales")
        .collectAsList()
        .forEach(
            r ->
                sales.put(
                    r.getDate(0) + "|" + r.getString(1),
                    r.getLong(2)
                        + "|"
                        + r.getDecimal(3).setScale(6).toPlainString()
                        + "|"
                        + r.getLong(4)));
    assertThat(sales).isEqualTo(expected.dailyCategorySales);

    Map<String, String> funnel = new TreeMap<>();
    gold(spark, tables, "daily_funnel")
        .collectAsList()
        .forEach(
            r ->
                funnel.put(
                    r.getDate(0).toString(),
                    r.getLong(1)
                        + "|"
                        + r.getLong(2)
                        + "|"
                        + r.getLong(3)
                        + "|"
                        + r.get(4)
                        + "|"
                        + r.get(5)
                        + "|"
                        + r.get(6)));
    assertThat(funnel).isEqualTo(expected.dailyFunnel);

    Map<String, String> sessions = new TreeMap<>();
    for (Row r :
        gold(spark, tables, "sessions")
            .selectExpr(
                "session_id",
                "user_id",
                "unix_millis(session_start)",
                "unix_millis(session_end)",
                "duration_seconds",
                "events",
                "page_views",
                "carts",
                "purchases",
                "revenue_usd",
                "converted")
            .collectAsList()) {
      assertThat(sessions.put(r.getString(0), cells(r, 1, 11))).as("one row per session").isNull();
    }
    assertThat(expected.sessions).as("the truth has sessions").isNotEmpty();
    assertThat(sessions).isEqualTo(expected.sessions);

    assertThat(expected.userFeatures).as("the truth has users").isNotEmpty();
    assertFeatures(
        spark, tables, "user_features", expected.userFeatures, expected.userAverageOrder);
    assertFeatures(
        spark,
        tables,
        "user_features_known",
        expected.userFeaturesKnown,
        expected.userAverageOrderKnown);
  }

  /**
   * The UTC day each event silver holds was ingested into bronze: an input of the run (the
   * generator cannot know it), read from silver's copy of bronze's column.
   */
  static Map<String, LocalDate> ingestDays(SparkSession spark, TableLocations tables) {
    Map<String, LocalDate> days = new HashMap<>();
    spark
        .read()
        .format("delta")
        .load(tables.silverEvents())
        .selectExpr("event_id", "unix_micros(ingested_at)")
        .collectAsList()
        .forEach(
            r ->
                days.put(
                    r.getString(0),
                    LocalDate.ofInstant(
                        Instant.EPOCH.plus(r.getLong(1), ChronoUnit.MICROS), ZoneOffset.UTC)));
    return days;
  }

  /** A table of user features equals the expected rows, one per user and as_of_date. */
  static void assertFeatures(
      SparkSession spark,
      TableLocations tables,
      String table,
      Map<String, String> expected,
      Map<String, BigDecimal> expectedAverageOrders) {
    Map<String, String> features = new TreeMap<>();
    Map<String, BigDecimal> averageOrders = new TreeMap<>();
    for (Row r : featureRows(spark, tables, table)) {
      assertThat(features.put(r.getString(0), cells(r, 1, 12)))
          .as("one row per user and day in %s", table)
          .isNull();
      averageOrders.put(r.getString(0), r.isNullAt(12) ? null : r.getDecimal(12));
    }
    assertThat(features).as(table).isEqualTo(expected);
    assertClose(averageOrders, expectedAverageOrders, table + " average order");
  }

  /** A features table's rows: the key, then the columns {@link ExpectedGold} renders, in order. */
  static List<Row> featureRows(SparkSession spark, TableLocations tables, String table) {
    return gold(spark, tables, table)
        .selectExpr(
            "user_id || '|' || CAST(as_of_date AS STRING)",
            "unix_millis(first_seen)",
            "unix_millis(last_seen)",
            "days_since_previous_active",
            "active_days",
            "events_7d",
            "purchases_7d",
            "events_30d",
            "purchases_30d",
            "lifetime_purchases",
            "lifetime_revenue",
            "preferred_category",
            "avg_order_value")
        .collectAsList();
  }

  /**
   * Cells {@code from} (inclusive) to {@code to} (exclusive) of a row, as {@link ExpectedGold}
   * renders values: decimals at scale 6, the rest (null too) as {@link String#valueOf}.
   */
  private static String cells(Row row, int from, int to) {
    List<String> cells = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Object value = row.get(i);
      cells.add(
          value instanceof BigDecimal decimal
              ? decimal.setScale(6).toPlainString()
              : String.valueOf(value));
    }
    return String.join("|", cells);
  }

  /** Averages Spark rounds to 10 places: each within 1e-9 of the exact one, nulls where none. */
  private static void assertClose(
      Map<String, BigDecimal> actual, Map<String, BigDecimal> expected, String what) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (key, value) -> {
          if (value == null) {
            assertThat(actual.get(key)).as("%s of %s", what, key).isNull();
          } else {
            assertThat(actual.get(key).subtract(value).abs())
                .as("%s of %s", what, key)
                .isLessThan(new BigDecimal("1e-9"));
          }
        });
  }

  private static Dataset<Row> gold(SparkSession spark, TableLocations tables, String table) {
    return spark
        .read()
        .format("delta")
        .load(tables.of(GoldTables.bundled().named(table).orElseThrow().spec()));
  }
}
