-- A gold table added by this file alone (GoldJobIT checks it against the generator's truth).
CREATE MATERIALIZED VIEW gold.hourly_product_views (
  window_start TIMESTAMP COMMENT 'Start of the UTC hour',
  product_id STRING COMMENT 'The viewed product',
  views BIGINT COMMENT 'page_view events of the product in the hour, each event_id once',
  viewers BIGINT COMMENT 'Distinct users who viewed it (exact count)'
)
COMMENT 'Product page views and viewers per UTC hour'
AS SELECT event_hour AS window_start, product_id, count(*) AS views, count(DISTINCT user_id) AS viewers
FROM silver.events
WHERE event_type = 'page_view' AND product_id IS NOT NULL
GROUP BY event_hour, product_id
