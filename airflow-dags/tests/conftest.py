"""Test setup: a throwaway AIRFLOW_HOME, and the DAG folder importable as Airflow imports it."""

import os
import sys
import tempfile
from pathlib import Path

DAGS = Path(__file__).resolve().parent.parent / "dags"

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="medallion-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
sys.path.insert(0, str(DAGS))
