-- The headline table: revenue, events and users per UTC hour and event type. Its name and
-- columns are a public contract with analysts.
CREATE MATERIALIZED VIEW gold.hourly_revenue (
  window_start TIMESTAMP COMMENT 'Start of the UTC hour (inclusive)',
  window_end TIMESTAMP COMMENT 'End of the UTC hour (exclusive): window_start plus one hour',
  event_type STRING COMMENT "The events' type as sent: page_view, add_to_cart, purchase, ...",
  event_count BIGINT COMMENT 'Valid events of this type in the hour, each event_id once',
  total_revenue DECIMAL(30,6) COMMENT "Sum of the events' revenue in USD (revenue_usd); 0 when none carries revenue",
  unique_users BIGINT COMMENT 'Distinct users among the events (exact count)',
  avg_order_value DECIMAL(24,10) COMMENT 'Average revenue in USD of the events that carry revenue; null when none does'
)
COMMENT 'Revenue, events and users per UTC hour and event type, exact under late and duplicate events'
TBLPROPERTIES ('medallion.zorder' = 'window_start, event_type')
AS SELECT
  window_start,
  window_start + INTERVAL 1 HOUR AS window_end,
  event_type,
  event_count,
  total_revenue,
  unique_users,
  avg_order_value
FROM (
  SELECT
    event_hour AS window_start,
    event_type AS event_type,
    count(*) AS event_count,
    coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS total_revenue,
    count(DISTINCT user_id) AS unique_users,
    avg(revenue_usd) AS avg_order_value
  FROM silver.events
  GROUP BY event_hour, event_type
)
