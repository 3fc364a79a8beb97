package dev.medallion.gold;

import static dev.medallion.gold.GoldColumn.column;

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
              column("window_start", "Start of the UTC hour (inclusive)"),
              column(
                  "window_start + INTERVAL 1 HOUR AS window_end",
                  "End of the UTC hour (exclusive): window_start plus one hour"),
              column(
                  "event_type", "The events' type as sent: page_view, add_to_cart, purchase, ..."),
              column("event_count", "Valid events of this type in the hour, each event_id once"),
              column(
                  "total_revenue",
                  "Sum of the events' revenue in USD (revenue_usd); 0 when none carries revenue"),
              column("unique_users", "Distinct users among the events (exact count)"),
              column(
                  "avg_order_value",
                  "Average revenue in USD of the events that carry revenue; null when none does")),
          List.of("window_start", "event_type"),
          "Revenue, events and users per UTC hour and event type, exact under late and duplicate"
              + " events");

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
          List.of(
              column("event_date", "UTC day of the purchases"),
              column(
                  "category",
                  "Product category from the reference data; 'unknown' when the product is not in"
                      + " it"),
              column("purchases", "Purchase events that day in the category, each event_id once"),
              column("revenue_usd", "Sum of the purchases' revenue in USD"),
              column("unique_buyers", "Distinct users who purchased (exact count)")),
          List.of("event_date", "category"),
          "Purchases, revenue and buyers per UTC day and product category");

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
              column("event_date", "UTC day"),
              column("sessions_viewed", "Distinct sessions with a page_view that day"),
              column("sessions_added_to_cart", "Distinct sessions with an add_to_cart that day"),
              column("sessions_purchased", "Distinct sessions with a purchase that day"),
              column(
                  "try_divide(CAST(sessions_added_to_cart AS DOUBLE), sessions_viewed) AS"
                      + " view_to_cart_rate",
                  "sessions_added_to_cart / sessions_viewed; null when no session viewed"),
              column(
                  "try_divide(CAST(sessions_purchased AS DOUBLE), sessions_added_to_cart) AS"
                      + " cart_to_purchase_rate",
                  "sessions_purchased / sessions_added_to_cart; null when no session added to"
                      + " cart"),
              column(
                  "try_divide(CAST(sessions_purchased AS DOUBLE), sessions_viewed) AS"
                      + " view_to_purchase_rate",
                  "sessions_purchased / sessions_viewed; null when no session viewed")),
          List.of("event_date"),
          "Sessions per UTC day that viewed, added to cart and purchased, with conversion rates");

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
