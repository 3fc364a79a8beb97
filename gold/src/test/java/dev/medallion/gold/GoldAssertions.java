package dev.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.TableLocations;
import dev.medallion.testkit.events.GroundTruth;
import java.math.BigDecimal;
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
    ExpectedGold expected = ExpectedGold.of(truth);
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
    assertThat(averages.keySet()).isEqualTo(expected.hourlyAverage.keySet());
    expected.hourlyAverage.forEach(
        (key, average) -> {
          if (average == null) {
            assertThat(averages.get(key)).as("average of %s", key).isNull();
          } else {
            assertThat(averages.get(key).subtract(average).abs())
                .as("average of %s", key)
                .isLessThan(new BigDecimal("1e-9"));
          }
        });

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
  }

  private static Dataset<Row> gold(SparkSession spark, TableLocations tables, String table) {
    return spark.read().format("delta").load(tables.gold(table));
  }
}
