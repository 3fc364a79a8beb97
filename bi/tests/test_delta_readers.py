"""Gold read by delta-rs, a Delta reader that shares no code with Spark, equals `bin/medallion sql`.

This is the path BI tools take when they read the lakehouse directly (delta-rs underlies
Polars, pandas and DuckDB readers); it only works while gold avoids table features such
readers lack.
"""

import csv
import subprocess
from pathlib import Path

from deltalake import DeltaTable

REPO = Path(__file__).resolve().parents[2]
MEDALLION = str(REPO / "bin" / "medallion")
COLUMNS = ["window_start", "event_type", "event_count", "total_revenue", "unique_users"]


def medallion(*args):
    result = subprocess.run([MEDALLION, *args], capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_delta_rs_reads_the_same_gold_as_medallion_sql(tmp_path):
    lakehouse = tmp_path / "lakehouse"
    root = f"lakehouse.root={lakehouse}"
    medallion("demo", "--events", "3000", "--set", root, "--set", "spark.master=local[2]")
    query = f"SELECT {', '.join(COLUMNS)} FROM gold.hourly_revenue ORDER BY window_start, event_type"
    printed = medallion("sql", "--format", "csv", "--limit", "100000", "--set", root, "--set", "spark.master=local[2]", query)
    from_sql = list(csv.reader(printed.strip().splitlines()))

    table = DeltaTable(str(lakehouse / "gold" / "hourly_revenue"))
    rows = sorted(table.to_pyarrow_table(columns=COLUMNS).to_pylist(), key=lambda r: (r["window_start"], r["event_type"]))
    from_delta_rs = [COLUMNS] + [
        [
            r["window_start"].strftime("%Y-%m-%d %H:%M:%S"),
            r["event_type"],
            str(r["event_count"]),
            str(r["total_revenue"]),
            str(r["unique_users"]),
        ]
        for r in rows
    ]

    assert len(from_sql) > 20
    assert from_delta_rs == from_sql
    assert sum(int(row[2]) for row in from_sql[1:]) == 3000
