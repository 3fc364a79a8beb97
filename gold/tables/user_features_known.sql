-- The features of user_features as they were known: a row of (user, as_of_date) uses only the
-- events that had happened and been ingested into bronze by the end of that day, so an event
-- arriving two days late changes the row of its arrival day, not the rows before it. A model
-- trained on these rows sees what a model served on that day could have seen.
CREATE MATERIALIZED VIEW gold.user_features_known (
  user_id STRING COMMENT 'The user',
  as_of_date DATE COMMENT 'The UTC day the features are as of: events that had happened and been ingested into bronze by its end',
  first_seen TIMESTAMP COMMENT "Time of the user's first event",
  last_seen TIMESTAMP COMMENT "Time of the user's last event known by the end of as_of_date",
  days_since_previous_active INT COMMENT "Days between the user's last two active days known by as_of_date; null with one",
  active_days INT COMMENT 'Days with events known by as_of_date',
  events_7d INT COMMENT 'Known events of the 7 days ending on as_of_date',
  purchases_7d INT COMMENT 'Known purchases of the 7 days ending on as_of_date',
  events_30d INT COMMENT 'Known events of the 30 days ending on as_of_date',
  purchases_30d INT COMMENT 'Known purchases of the 30 days ending on as_of_date',
  lifetime_purchases BIGINT COMMENT 'Purchases up to as_of_date',
  lifetime_revenue DECIMAL(38,6) COMMENT 'Revenue of the purchases up to as_of_date, in USD',
  avg_order_value DECIMAL(38,6) COMMENT 'lifetime_revenue / lifetime_purchases, in USD; null before the first purchase',
  preferred_category STRING COMMENT "The category of most of the user's known events of the 30 days ending on as_of_date (alphabetically first on a tie); null when none has a category"
)
COMMENT 'ML features per user and day, as known: each row uses only the events that had happened and been ingested into bronze by the end of its as_of_date, so a late event never changes an earlier row'
PARTITIONED BY (as_of_date)
TBLPROPERTIES ('medallion.zorder' = 'user_id')
AS SELECT
  user_id,
  as_of_date,
  min(day_first_seen) OVER (PARTITION BY user_id ORDER BY as_of_date) AS first_seen,
  max(day_last_seen) OVER (PARTITION BY user_id ORDER BY as_of_date) AS last_seen,
  datediff(
    try_element_at(array_sort(array_distinct(flatten(collect_list(day_dates) OVER (PARTITION BY user_id ORDER BY as_of_date)))), -1),
    try_element_at(array_sort(array_distinct(flatten(collect_list(day_dates) OVER (PARTITION BY user_id ORDER BY as_of_date)))), -2)) AS days_since_previous_active,
  size(array_sort(array_distinct(flatten(collect_list(day_dates) OVER (PARTITION BY user_id ORDER BY as_of_date))))) AS active_days,
  size(filter(
    filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)),
    e -> e.day > date_sub(as_of_date, 7))) AS events_7d,
  size(filter(
    filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)),
    e -> e.purchase AND e.day > date_sub(as_of_date, 7))) AS purchases_7d,
  size(filter(
    filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)),
    e -> e.day > date_sub(as_of_date, 30))) AS events_30d,
  size(filter(
    filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)),
    e -> e.purchase AND e.day > date_sub(as_of_date, 30))) AS purchases_30d,
  sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date) AS lifetime_purchases,
  sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date) AS lifetime_revenue,
  try_divide(
    sum(day_revenue) OVER (PARTITION BY user_id ORDER BY as_of_date),
    sum(day_purchases) OVER (PARTITION BY user_id ORDER BY as_of_date)) AS avg_order_value,
  -- The category most of the 30 days' known events are, alphabetically first on a tie.
  try_element_at(array_sort(transform(
    array_distinct(transform(
      filter(filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)), e -> e.category IS NOT NULL),
      e -> e.category)),
    c -> named_struct(
      'n', -size(filter(
        transform(filter(filter(flatten(collect_list(day_known) OVER (PARTITION BY user_id ORDER BY unix_date(as_of_date) RANGE BETWEEN 29 PRECEDING AND CURRENT ROW)), e -> e.day > date_sub(as_of_date, 30)), e -> e.category IS NOT NULL), e -> e.category),
        x -> x = c)),
      'c', c))), 1).c AS preferred_category
FROM (
  SELECT
    user_id AS user_id,
    -- The UTC day by whose end the event had happened and been ingested (its first copy).
    greatest(event_date, date_from_unix_date(CAST(floor(unix_micros(ingested_at) / 86400000000) AS INT)))
      AS as_of_date,
    count(*) AS day_events,
    count_if(event_type = 'purchase') AS day_purchases,
    coalesce(sum(CASE WHEN event_type = 'purchase' THEN revenue_usd END), CAST(0 AS DECIMAL(30,6)))
      AS day_revenue,
    min(event_time) AS day_first_seen,
    max(event_time) AS day_last_seen,
    collect_list(named_struct('day', event_date, 'purchase', event_type = 'purchase', 'category', category))
      AS day_known,
    collect_set(event_date) AS day_dates
  FROM silver.events
  WHERE user_id IS NOT NULL
  GROUP BY user_id, as_of_date
)
