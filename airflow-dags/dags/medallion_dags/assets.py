"""Every medallion table as an Airflow Asset, so other DAGs can be scheduled on them."""

from airflow.sdk import Asset

BRONZE_EVENTS = Asset(name="medallion.bronze.events")
SILVER_EVENTS = Asset(name="medallion.silver.events")
SILVER_QUARANTINE = Asset(name="medallion.silver.quarantine")
GOLD_TABLES = [
    Asset(name=f"medallion.gold.{table}") for table in ("hourly_revenue", "daily_category_sales", "daily_funnel")
]

LAYER_OUTLETS = {
    "bronze": [BRONZE_EVENTS],
    "silver": [SILVER_EVENTS, SILVER_QUARANTINE],
    "gold": GOLD_TABLES,
}

# Tables maintenance keeps compact, by their SQL name (see `bin/medallion maintain`).
MAINTAINED_TABLES = [
    "bronze.events",
    "silver.events",
    "silver.quarantine",
    "gold.hourly_revenue",
    "gold.daily_category_sales",
    "gold.daily_funnel",
]
