package dev.medallion.gold;

import static dev.medallion.gold.GoldColumn.column;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

  /** The window of a user's rows up to the current one. */
  private static final String UP_TO_ROW = " OVER (PARTITION BY user_id ORDER BY as_of_date)";

  /**
   * A user's events of one day (of the row's grouping), summed, for the features of both tables.
   */
  private static final List<String> USER_DAY_AGGREGATES =
      List.of(
          "count(*) AS day_events",
          "count_if(event_type = 'purchase') AS day_purchases",
          "coalesce(sum(CASE WHEN event_type = 'purchase' THEN revenue_usd END),"
              + " CAST(0 AS DECIMAL(30,6))) AS day_revenue",
          "min(event_time) AS day_first_seen",
          "max(event_time) AS day_last_seen");

  private static final GoldColumn FIRST_SEEN =
      column(
          "min(day_first_seen)" + UP_TO_ROW + " AS first_seen", "Time of the user's first event");

  private static final List<GoldColumn> LIFETIME_PURCHASES =
      List.of(
          column(
              "sum(day_purchases)" + UP_TO_ROW + " AS lifetime_purchases",
              "Purchases up to as_of_date"),
          column(
              "sum(day_revenue)" + UP_TO_ROW + " AS lifetime_revenue",
              "Revenue of the purchases up to as_of_date, in USD"),
          column(
              "try_divide(sum(day_revenue)"
                  + UP_TO_ROW
                  + ", sum(day_purchases)"
                  + UP_TO_ROW
                  + ") AS avg_order_value",
              "lifetime_revenue / lifetime_purchases, in USD; null before the first purchase"));

  /**
   * events_7d, purchases_7d, events_30d and purchases_30d: {@code count.apply(days, purchases)} is
   * the SQL of each, described as "{@code events} the 7 days ending on as_of_date" and so on.
   */
  private static List<GoldColumn> windowCounts(
      BiFunction<Integer, Boolean, String> count, String events, String purchases) {
    List<GoldColumn> columns = new ArrayList<>();
    for (int days : new int[] {7, 30}) {
      String window = " the " + days + " days ending on as_of_date";
      columns.add(column(count.apply(days, false) + " AS events_" + days + "d", events + window));
      columns.add(
          column(count.apply(days, true) + " AS purchases_" + days + "d", purchases + window));
    }
    return columns;
  }

  /** The category most of {@code categories} (an array, nulls left out) are, first on a tie. */
  private static String mostCommon(String categories) {
    return "try_element_at(array_sort(transform(array_distinct("
        + categories
        + "), c -> named_struct('n', -size(filter("
        + categories
        + ", x -> x = c)), 'c', c))), 1).c AS preferred_category";
  }

  /**
   * Features of each user for ML, one row per user and day the user was active, computed from the
   * events up to the end of that day by event time: a late event rewrites the rows of its day and
   * later in place (see {@link #USER_FEATURES_KNOWN} for the rows as they were known).
   */
  public static final GoldTable USER_FEATURES =
      new GoldTable(
          "user_features",
          EntityGrain.USER,
          "user_id",
          "user_id IS NOT NULL",
          List.of("user_id AS user_id", "event_date AS as_of_date"),
          concat(USER_DAY_AGGREGATES, List.of("collect_list(category) AS day_categories")),
          concat(
              List.of(
                  column("user_id", "The user"),
                  column(
                      "as_of_date",
                      "The UTC day the features are as of: events that happened up to its end,"
                          + " whenever they arrived"),
                  FIRST_SEEN,
                  column(
                      "day_last_seen AS last_seen",
                      "Time of the user's last event up to as_of_date"),
                  column(
                      "datediff(as_of_date, lag(as_of_date)"
                          + UP_TO_ROW
                          + ") AS days_since_previous_active",
                      "Days since the user's previous active day; null on the first"),
                  column(
                      "count(*)" + UP_TO_ROW + " AS active_days",
                      "Days with events up to as_of_date")),
              windowCounts(
                  (days, purchases) ->
                      "sum("
                          + (purchases ? "day_purchases" : "day_events")
                          + ") OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE"
                          + " BETWEEN "
                          + (days - 1)
                          + " PRECEDING AND CURRENT ROW)",
                  "Events in",
                  "Purchases in"),
              LIFETIME_PURCHASES,
              List.of(
                  column(
                      mostCommon(CATEGORIES_30D),
                      "The category of most of the user's events in the 30 days ending on"
                          + " as_of_date (alphabetically first on a tie); null when none has a"
                          + " category"))),
          List.of("user_id"),
          "ML features per user and active day, by event time: each row uses only events that"
              + " happened up to its as_of_date, and a late event updates the rows of its day and"
              + " later",
          List.of("as_of_date"));

  /**
   * The UTC day by whose end an event had both happened and been ingested into bronze (its first
   * copy): the first day whose features may use it. Epoch arithmetic, so no time zone enters.
   */
  private static final String KNOWN_DATE =
      "greatest(event_date, date_from_unix_date(CAST(floor(unix_micros(ingested_at) /"
          + " 86400000000) AS INT)))";

  /**
   * The user's events known by a row's day that happened in the 30 days ending on it, one struct
   * each: an event's known date is never before its event date, so these were all known within
   * those 30 days.
   */
  private static final String KNOWN_30D =
      "filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY"
          + " unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day >"
          + " date_sub(as_of_date, 30))";

  /** The distinct days of the user's events known by a row's day, in order. */
  private static final String KNOWN_ACTIVE_DAYS =
      "array_sort(array_distinct(flatten(collect_list(day_dates)" + UP_TO_ROW + ")))";

  /**
   * The same features as {@link #USER_FEATURES}, as they were known: the row of {@code (user,
   * as_of_date)} uses only the events that had happened and been ingested by the end of that day,
   * so an event arriving two days late changes the row of its arrival day, not the rows before it.
   * A model trained on these rows sees what a model served on that day could have seen.
   */
  public static final GoldTable USER_FEATURES_KNOWN =
      new GoldTable(
          "user_features_known",
          EntityGrain.USER,
          "user_id",
          "user_id IS NOT NULL",
          List.of("user_id AS user_id", KNOWN_DATE + " AS as_of_date"),
          concat(
              USER_DAY_AGGREGATES,
              List.of(
                  "collect_list(named_struct('day', event_date, 'purchase', event_type ="
                      + " 'purchase', 'category', category)) AS day_known",
                  "collect_set(event_date) AS day_dates")),
          concat(
              List.of(
                  column("user_id", "The user"),
                  column(
                      "as_of_date",
                      "The UTC day the features are as of: events that had happened and been"
                          + " ingested into bronze by its end"),
                  FIRST_SEEN,
                  column(
                      "max(day_last_seen)" + UP_TO_ROW + " AS last_seen",
                      "Time of the user's last event known by the end of as_of_date"),
                  column(
                      "datediff(try_element_at("
                          + KNOWN_ACTIVE_DAYS
                          + ", -1), try_element_at("
                          + KNOWN_ACTIVE_DAYS
                          + ", -2)) AS days_since_previous_active",
                      "Days between the user's last two active days known by as_of_date; null"
                          + " with one"),
                  column(
                      "size(" + KNOWN_ACTIVE_DAYS + ") AS active_days",
                      "Days with events known by as_of_date")),
              windowCounts(
                  (days, purchases) ->
                      "size(filter("
                          + KNOWN_30D
                          + ", e -> "
                          + (purchases ? "e.purchase AND " : "")
                          + "e.day > date_sub(as_of_date, "
                          + days
                          + ")))",
                  "Known events of",
                  "Known purchases of"),
              LIFETIME_PURCHASES,
              List.of(
                  column(
                      mostCommon(
                          "transform(filter("
                              + KNOWN_30D
                              + ", e -> e.category IS NOT NULL), e -> e.category)"),
                      "The category of most of the user's known events of the 30 days ending on"
                          + " as_of_date (alphabetically first on a tie); null when none has a"
                          + " category"))),
          List.of("user_id"),
          "ML features per user and day, as known: each row uses only the events that had"
              + " happened and been ingested into bronze by the end of its as_of_date, so a late"
              + " event never changes an earlier row",
          List.of("as_of_date"));

  @SafeVarargs
  private static <T> List<T> concat(List<T>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }

  public static final List<GoldTable> ALL =
      List.of(
          HOURLY_REVENUE,
          DAILY_CATEGORY_SALES,
          DAILY_FUNNEL,
          SESSIONS,
          USER_FEATURES,
          USER_FEATURES_KNOWN);

  private GoldTables() {}

  public static Optional<GoldTable> named(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public static String names() {
    return ALL.stream().map(GoldTable::name).collect(Collectors.joining(", "));
  }
}
