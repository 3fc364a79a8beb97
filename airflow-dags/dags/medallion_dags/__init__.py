"""Shared pieces of medallion's Airflow DAGs: assets, job launching and callbacks."""
