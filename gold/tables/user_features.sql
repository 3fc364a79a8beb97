-- ML features per user and day the user was active, by event time: each row from the events that
-- happened up to the end of its day, whenever they arrived, so a late event rewrites the rows of
-- its day and later (user_features_known has the rows as they were known). Kept from per-user-day
-- partial aggregates (gold.user_features_state); every window is per user, over those days.
CREATE MATERIALIZED VIEW gold.user_features (
  user_id STRING COMMENT 'The user',
  as_of_date DATE COMMENT 'The UTC day the features are as of: events that happened up to its end, whenever they arrived',
  first_seen TIMESTAMP COMMENT "Time of the user's first event",
  last_seen TIMESTAMP COMMENT "Time of the user's last event up to as_of_date",
  days_since_previous_active INT COMMENT "Days since the user's previous active day; null on the first",
  active_days BIGINT COMMENT 'Days with events up to as_of_date',
  events_7d BIGINT COMMENT 'Events in the 7 days ending on as_of_date',
  purchases_7d BIGINT COMMENT 'Purchases in the 7 days ending on as_of_date',
  events_30d BIGINT COMMENT 'Events in the 30 days ending on as_of_date',
  purchases_30d BIGINT COMMENT 'Purchases in the 30 days ending on as_of_date',
  lifetime_purchases BIGINT COMMENT 'Purchases up to as_of_date',
  lifetime_revenue DECIMAL(38,6) COMMENT 'Revenue of the purchases up to as_of_date, in USD',
  avg_order_value DECIMAL(38,6) COMMENT 'lifetime_revenue / lifetime_purchases, in USD; null before the first purchase',
  preferred_category STRING COMMENT "The category of most of the user's events in the 30 days ending on as_of_date (alphabetically first on a tie); null when none has a category"
)
COMMENT 'ML features per user and active day, by event time: each row uses only events that happened up to its as_of_date, and a late event updates the rows of its day and later'
PARTITIONED BY (as_of_date)
TBLPROPERTIES ('medallion.zorder' = 'user_id')
AS SELECT
  user_id,
  as_of_date,
  min(day_first_seen) OVER (PARTITION BY user_id ORDER BY as_of_date) AS first_seen,
  day_last_seen AS last_seen,
  datediff(as_of_date, lag(as_of_date) OVER (PARTITION BY user_id ORDER BY as_of_date))
    AS days_since_previous_active,
  count(*) OVER (PARTITION BY user_id ORDER BY as_of_date) AS active_days,
  sum(day_events) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 6 PRECEDING AND CURRENT ROW) AS events_7d,
  sum(day_purchases) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 6 PRECEDING AND CURRENT ROW) AS purchases_7d,
  sum(day_events) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS events_30d,
  sum(day_purchases) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS purchases_30d,
  sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date) AS lifetime_purchases,
  sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date) AS lifetime_revenue,
  try_divide(
    sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date),
    sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date)) AS avg_order_value,
  -- The category most of the 30 days' events are, alphabetically first on a tie.
  try_element_at(array_sort(transform(
    array_distinct(flatten(collect_list(day_categories) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW))),
    c -> named_struct(
      'n', -size(filter(flatten(collect_list(day_categories) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), x -> x = c)),
      'c', c))), 1).c AS preferred_category
FROM (
  SELECT
    user_id AS user_id,
    event_date AS as_of_date,
    count(*) AS day_events,
    count_if(event_type = 'purchase') AS day_purchases,
    coalesce(sum(CASE WHEN event_type = 'purchase' THEN revenue_usd END), CAST(0 AS DECIMAL(30,6)))
      AS day_revenue,
    min(event_time) AS day_first_seen,
    max(event_time) AS day_last_seen,
    collect_list(category) AS day_categories
  FROM silver.events
  WHERE user_id IS NOT NULL
  GROUP BY user_id, event_date
)
