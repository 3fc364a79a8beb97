"""Every medallion table as an Airflow Asset, so other DAGs can be scheduled on them."""

from airflow.sdk import Asset

from medallion_dags.catalog import LAYERS, sql_names

LAYER_OUTLETS = {layer: [Asset(name=f"medallion.{table}") for table in sql_names(layer)] for layer in LAYERS}

# Tables maintenance keeps compact, by their SQL name (see `bin/medallion maintain`).
MAINTAINED_TABLES = sql_names()
