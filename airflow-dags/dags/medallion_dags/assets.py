"""Every medallion table as an Airflow Asset, so other DAGs can be scheduled on them."""

from airflow.sdk import Asset

from medallion_dags.catalog import LAYERS, sql_names

# An Asset is named after its table's SQL name; each event's extra holds the Delta version the run
# wrote, its ledger run_id and rows_out.
ASSET_PREFIX = "medallion."
LAYER_OUTLETS = {layer: [Asset(name=ASSET_PREFIX + table) for table in sql_names(layer)] for layer in LAYERS}

# Tables maintenance keeps compact, by their SQL name (see `bin/medallion maintain`).
MAINTAINED_TABLES = sql_names()
