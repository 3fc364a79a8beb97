-- One row per session, kept from per-session partial aggregates (gold.sessions_state): a late
-- event updates its session's row.
CREATE MATERIALIZED VIEW gold.sessions (
  session_id STRING COMMENT "The session, as sent in the events' session_id",
  user_id STRING COMMENT "The session's user (the smallest user_id if its events disagree)",
  session_start TIMESTAMP COMMENT "Time of the session's first event",
  session_end TIMESTAMP COMMENT "Time of the session's last event",
  duration_seconds DOUBLE COMMENT 'Seconds from the first event to the last',
  events BIGINT COMMENT 'Valid events of the session, each event_id once',
  page_views BIGINT COMMENT 'page_view events of the session',
  carts BIGINT COMMENT 'add_to_cart events of the session',
  purchases BIGINT COMMENT 'purchase events of the session',
  revenue_usd DECIMAL(30,6) COMMENT "Sum of the session's revenue in USD; 0 when none",
  converted BOOLEAN COMMENT 'Whether the session purchased'
)
COMMENT 'One row per session, kept exact when its late events arrive'
TBLPROPERTIES ('medallion.zorder' = 'session_start')
AS SELECT
  session_id,
  user_id,
  session_start,
  session_end,
  CAST(unix_millis(session_end) - unix_millis(session_start) AS DOUBLE) / 1000 AS duration_seconds,
  events,
  page_views,
  carts,
  purchases,
  revenue_usd,
  purchases > 0 AS converted
FROM (
  SELECT
    session_id AS session_id,
    min(user_id) AS user_id,
    min(event_time) AS session_start,
    max(event_time) AS session_end,
    count(*) AS events,
    count_if(event_type = 'page_view') AS page_views,
    count_if(event_type = 'add_to_cart') AS carts,
    count_if(event_type = 'purchase') AS purchases,
    coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS revenue_usd
  FROM silver.events
  WHERE session_id IS NOT NULL
  GROUP BY session_id
)
