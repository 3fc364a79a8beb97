-- An entity table added by this file alone: kept from per-user partial aggregates.
CREATE MATERIALIZED VIEW gold.user_purchases (
  user_id STRING COMMENT 'The user',
  purchases BIGINT COMMENT 'Purchase events of the user, each event_id once',
  revenue_usd DECIMAL(30,6) COMMENT 'Sum of the purchases'' revenue in USD',
  last_purchase TIMESTAMP COMMENT 'Time of the latest purchase'
)
COMMENT 'Purchases and revenue per user over all time'
TBLPROPERTIES ('medallion.zorder' = 'user_id')
AS SELECT
  user_id,
  count(*) AS purchases,
  coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS revenue_usd,
  max(event_time) AS last_purchase
FROM silver.events
WHERE event_type = 'purchase' AND user_id IS NOT NULL
GROUP BY user_id
