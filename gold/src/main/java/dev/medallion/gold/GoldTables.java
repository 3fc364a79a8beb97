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

  /** One row per session: when it ran, what it did, and whether it bought. */
  public static final GoldTable SESSIONS =
      new GoldTable(
          "sessions",
          EntityGrain.SESSION,
          "session_id",
          "session_id IS NOT NULL",
          List.of("session_id AS session_id"),
          List.of(
              "min(user_id) AS user_id",
              "min(event_time) AS session_start",
              "max(event_time) AS session_end",
              "count(*) AS events",
              "count_if(event_type = 'page_view') AS page_views",
              "count_if(event_type = 'add_to_cart') AS carts",
              "count_if(event_type = 'purchase') AS purchases",
              "coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS revenue_usd"),
          List.of(
              column("session_id", "The session, as sent in the events' session_id"),
              column("user_id", "The session's user (the smallest user_id if its events disagree)"),
              column("session_start", "Time of the session's first event"),
              column("session_end", "Time of the session's last event"),
              column(
                  "CAST(unix_millis(session_end) - unix_millis(session_start) AS DOUBLE) / 1000 AS"
                      + " duration_seconds",
                  "Seconds from the first event to the last"),
              column("events", "Valid events of the session, each event_id once"),
              column("page_views", "page_view events of the session"),
              column("carts", "add_to_cart events of the session"),
              column("purchases", "purchase events of the session"),
              column("revenue_usd", "Sum of the session's revenue in USD; 0 when none"),
              column("purchases > 0 AS converted", "Whether the session purchased")),
          List.of("session_id"),
          "One row per session, kept exact when its late events arrive");

  /** The categories of a user's events in the 30 days up to a row's day, one per event. */
  private static final String CATEGORIES_30D =
      "flatten(collect_list(day_categories) OVER (PARTITION BY user_id ORDER BY"
          + " unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW))";

  /**
   * Features of each user for ML, one row per user and day the user was active, computed from the
   * events up to the end of that day only: a model trained with the row of the day before each
   * label sees nothing of the future.
   */
  public static final GoldTable USER_FEATURES =
      new GoldTable(
          "user_features",
          EntityGrain.USER,
          "user_id",
          "user_id IS NOT NULL",
          List.of("user_id AS user_id", "event_date AS as_of_date"),
          List.of(
              "count(*) AS day_events",
              "count_if(event_type = 'purchase') AS day_purchases",
              "coalesce(sum(CASE WHEN event_type = 'purchase' THEN revenue_usd END),"
                  + " CAST(0 AS DECIMAL(30,6))) AS day_revenue",
              "min(event_time) AS day_first_seen",
              "max(event_time) AS day_last_seen",
              "collect_list(category) AS day_categories"),
          List.of(
              column("user_id", "The user"),
              column("as_of_date", "The UTC day the features are as of: events up to its end"),
              column(
                  "min(day_first_seen) OVER (PARTITION BY user_id ORDER BY as_of_date) AS"
                      + " first_seen",
                  "Time of the user's first event"),
              column(
                  "day_last_seen AS last_seen", "Time of the user's last event up to as_of_date"),
              column(
                  "datediff(as_of_date, lag(as_of_date) OVER (PARTITION BY user_id ORDER BY"
                      + " as_of_date)) AS days_since_previous_active",
                  "Days since the user's previous active day; null on the first"),
              column(
                  "count(*) OVER (PARTITION BY user_id ORDER BY as_of_date) AS active_days",
                  "Days with events up to as_of_date"),
              column(
                  "sum(day_events) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date)"
                      + " RANGE BETWEEN 6 PRECEDING AND CURRENT ROW) AS events_7d",
                  "Events in the 7 days ending on as_of_date"),
              column(
                  "sum(day_purchases) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date)"
                      + " RANGE BETWEEN 6 PRECEDING AND CURRENT ROW) AS purchases_7d",
                  "Purchases in the 7 days ending on as_of_date"),
              column(
                  "sum(day_events) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date)"
                      + " RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS events_30d",
                  "Events in the 30 days ending on as_of_date"),
              column(
                  "sum(day_purchases) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date)"
                      + " RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS purchases_30d",
                  "Purchases in the 30 days ending on as_of_date"),
              column(
                  "sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date) AS"
                      + " lifetime_purchases",
                  "Purchases up to as_of_date"),
              column(
                  "sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date) AS"
                      + " lifetime_revenue",
                  "Revenue of the purchases up to as_of_date, in USD"),
              column(
                  "try_divide(sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date),"
                      + " sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date)) AS"
                      + " avg_order_value",
                  "lifetime_revenue / lifetime_purchases, in USD; null before the first purchase"),
              column(
                  "try_element_at(array_sort(transform(array_distinct("
                      + CATEGORIES_30D
                      + "), c -> named_struct('n', -size(filter("
                      + CATEGORIES_30D
                      + ", x -> x = c)), 'c', c))), 1).c AS preferred_category",
                  "The category of most of the user's events in the 30 days ending on as_of_date"
                      + " (alphabetically first on a tie); null when none has a category")),
          List.of("user_id", "as_of_date"),
          "ML features per user and active day, point in time: each row uses only events up to"
              + " its as_of_date");

  public static final List<GoldTable> ALL =
      List.of(HOURLY_REVENUE, DAILY_CATEGORY_SALES, DAILY_FUNNEL, SESSIONS, USER_FEATURES);

  private GoldTables() {}

  public static Optional<GoldTable> named(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public static String names() {
    return ALL.stream().map(GoldTable::name).collect(Collectors.joining(", "));
  }
}
