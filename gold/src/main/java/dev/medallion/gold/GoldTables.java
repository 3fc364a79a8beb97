package dev.medallion.gold;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every gold table medallion builds. To add one, declare it here (see the README's "Adding a gold
 * table"): the job, full refresh, backfill, maintenance and the SQL catalog pick it up.
 */
public final class GoldTables {
  /**
   * The headline table, revenue, events and users per UTC hour and event type; its name and columns
   * are a public contract with analysts.
   */
  public static final GoldTable HOURLY_REVENUE =
      new GoldTable(
          "hourly_revenue",
          TimeGrain.HOUR,
          "window_start",
          "",
          List.of("event_hour AS window_start", "event_type AS event_type"),
          List.of(
              "count(*) AS event_count",
              "coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS total_revenue",
              "count(DISTINCT user_id) AS unique_users",
              "avg(revenue_usd) AS avg_order_value"),
          List.of(
              "window_start",
              "window_start + INTERVAL 1 HOUR AS window_end",
              "event_type",
              "event_count",
              "total_revenue",
              "unique_users",
              "avg_order_value"),
          List.of("window_start", "event_type"));

  /**
   * Purchases, revenue and buyers per day and product category ('unknown' when the product is not
   * in the reference data).
   */
  public static final GoldTable DAILY_CATEGORY_SALES =
      new GoldTable(
          "daily_category_sales",
          TimeGrain.DAY,
          "event_date",
          "event_type = 'purchase'",
          List.of("event_date AS event_date", "coalesce(category, 'unknown') AS category"),
          List.of(
              "count(*) AS purchases",
              "coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS revenue_usd",
              "count(DISTINCT user_id) AS unique_buyers"),
          List.of("event_date", "category", "purchases", "revenue_usd", "unique_buyers"),
          List.of("event_date", "category"));

  /** Sessions per day that viewed, added to cart and purchased, with conversion rates. */
  public static final GoldTable DAILY_FUNNEL =
      new GoldTable(
          "daily_funnel",
          TimeGrain.DAY,
          "event_date",
          "",
          List.of("event_date AS event_date"),
          List.of(
              "count(DISTINCT CASE WHEN event_type = 'page_view' THEN session_id END) AS"
                  + " sessions_viewed",
              "count(DISTINCT CASE WHEN event_type = 'add_to_cart' THEN session_id END) AS"
                  + " sessions_added_to_cart",
              "count(DISTINCT CASE WHEN event_type = 'purchase' THEN session_id END) AS"
                  + " sessions_purchased"),
          List.of(
              "event_date",
              "sessions_viewed",
              "sessions_added_to_cart",
              "sessions_purchased",
              "try_divide(CAST(sessions_added_to_cart AS DOUBLE), sessions_viewed) AS"
                  + " view_to_cart_rate",
              "try_divide(CAST(sessions_purchased AS DOUBLE), sessions_added_to_cart) AS"
                  + " cart_to_purchase_rate",
              "try_divide(CAST(sessions_purchased AS DOUBLE), sessions_viewed) AS"
                  + " view_to_purchase_rate"),
          List.of("event_date"));

  public static final List<GoldTable> ALL =
      List.of(HOURLY_REVENUE, DAILY_CATEGORY_SALES, DAILY_FUNNEL);

  private GoldTables() {}

  public static Optional<GoldTable> named(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public static String names() {
    return ALL.stream().map(GoldTable::name).collect(Collectors.joining(", "));
  }
}
