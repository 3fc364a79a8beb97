-- Sessions per UTC day that viewed, added to cart and purchased, with conversion rates computed
-- over the grouped counts.
CREATE MATERIALIZED VIEW gold.daily_funnel (
  event_date DATE COMMENT 'UTC day',
  sessions_viewed BIGINT COMMENT 'Distinct sessions with a page_view that day',
  sessions_added_to_cart BIGINT COMMENT 'Distinct sessions with an add_to_cart that day',
  sessions_purchased BIGINT COMMENT 'Distinct sessions with a purchase that day',
  view_to_cart_rate DOUBLE COMMENT 'sessions_added_to_cart / sessions_viewed; null when no session viewed',
  cart_to_purchase_rate DOUBLE COMMENT 'sessions_purchased / sessions_added_to_cart; null when no session added to cart',
  view_to_purchase_rate DOUBLE COMMENT 'sessions_purchased / sessions_viewed; null when no session viewed'
)
COMMENT 'Sessions per UTC day that viewed, added to cart and purchased, with conversion rates'
TBLPROPERTIES ('medallion.zorder' = 'event_date')
AS SELECT
  event_date,
  sessions_viewed,
  sessions_added_to_cart,
  sessions_purchased,
  try_divide(CAST(sessions_added_to_cart AS DOUBLE), sessions_viewed) AS view_to_cart_rate,
  try_divide(CAST(sessions_purchased AS DOUBLE), sessions_added_to_cart) AS cart_to_purchase_rate,
  try_divide(CAST(sessions_purchased AS DOUBLE), sessions_viewed) AS view_to_purchase_rate
FROM (
  SELECT
    event_date AS event_date,
    count(DISTINCT CASE WHEN event_type = 'page_view' THEN session_id END) AS sessions_viewed,
    count(DISTINCT CASE WHEN event_type = 'add_to_cart' THEN session_id END) AS sessions_added_to_cart,
    count(DISTINCT CASE WHEN event_type = 'purchase' THEN session_id END) AS sessions_purchased
  FROM silver.events
  GROUP BY event_date
)
