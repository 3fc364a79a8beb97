"""Runs `bin/medallion` for the BI tests, and opens DuckDB with the delta extension."""

import csv
import re
import subprocess
from pathlib import Path

import duckdb
import duckdb_extension_delta

REPO = Path(__file__).resolve().parents[2]
MEDALLION = str(REPO / "bin" / "medallion")


def medallion(*args, quiet_log=False):
    """Runs a command and returns its output; with `quiet_log`, its log must hold no warning."""
    result = subprocess.run(
        [MEDALLION, *args], capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    if quiet_log:
        assert log_warnings(result.stderr) == [], result.stderr[-3000:]
    return result.stdout


def log_warnings(log):
    """The log's warning and error lines: each should be something a user must act on."""
    return [line for line in log.splitlines() if re.search(r" (WARN|ERROR) ", line)]


def settings(lakehouse):
    return ["--set", f"lakehouse.root={lakehouse}", "--set", "spark.master=local[2]"]


def spark_sql(lakehouse, query):
    printed = medallion(
        "sql", "--format", "csv", "--limit", "100000", *settings(lakehouse), query
    )
    return list(csv.reader(printed.strip().splitlines()))


def duckdb_with_delta():
    """DuckDB with the delta extension from its pip package: nothing fetched at run time."""
    extensions = Path(duckdb_extension_delta.__file__).parent / "extensions"
    (extension,) = extensions.glob(f"v{duckdb.__version__}/delta.duckdb_extension")
    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    con.execute(f"LOAD '{extension}'")
    con.execute("SET TimeZone = 'UTC'")
    return con
