-- Purchases, revenue and buyers per UTC day and product category ('unknown' when the product
-- is not in the reference data).
CREATE MATERIALIZED VIEW gold.daily_category_sales (
  event_date DATE COMMENT 'UTC day of the purchases',
  category STRING COMMENT "Product category from the reference data; 'unknown' when the product is not in it",
  purchases BIGINT COMMENT 'Purchase events that day in the category, each event_id once',
  revenue_usd DECIMAL(30,6) COMMENT "Sum of the purchases' revenue in USD",
  unique_buyers BIGINT COMMENT 'Distinct users who purchased (exact count)'
)
COMMENT 'Purchases, revenue and buyers per UTC day and product category'
TBLPROPERTIES ('medallion.zorder' = 'event_date, category')
AS SELECT
  event_date,
  category,
  purchases,
  revenue_usd,
  unique_buyers
FROM (
  SELECT
    event_date AS event_date,
    coalesce(category, 'unknown') AS category,
    count(*) AS purchases,
    coalesce(sum(revenue_usd), CAST(0 AS DECIMAL(30,6))) AS revenue_usd,
    count(DISTINCT user_id) AS unique_buyers
  FROM silver.events
  WHERE event_type = 'purchase'
  GROUP BY event_date, coalesce(category, 'unknown')
)
