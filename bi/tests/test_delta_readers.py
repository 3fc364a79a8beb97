"""Gold and silver read by readers that share no code with Spark equal `bin/medallion sql`.

delta-rs (under Polars, pandas and many notebooks) and DuckDB's delta extension (delta-kernel)
are the paths BI tools and data scientists take when they read the lakehouse directly. They
only work while every table avoids Delta features such readers lack, which
`test_every_table_stays_readable_by_every_delta_reader` keeps from changing unnoticed.
"""

import json
import math
import re
from decimal import Decimal

from deltalake import DeltaTable
from medallion_cli import REPO, duckdb_with_delta, spark_sql

MANIFEST = REPO / "airflow-dags" / "dags" / "medallion_dags" / "tables.json"
COLUMNS = ["window_start", "event_type", "event_count", "total_revenue", "unique_users"]

# One query in the SQL both engines speak: a row per gold row, per silver event type, per
# quarantine reason, and bronze's count, in one shape (key, counts, an exact sum, a ratio).
SUMMARY = """
SELECT 'gold.hourly_revenue' AS q,
       CAST(CAST(window_start AS DATE) AS STRING) || ' ' || CAST(hour(window_start) AS STRING)
         || ' ' || event_type AS k,
       event_count AS n1, unique_users AS n2, CAST(NULL AS BIGINT) AS n3,
       CAST(total_revenue AS DECIMAL(38, 6)) AS d1, CAST(avg_order_value AS DOUBLE) AS r1
FROM gold.hourly_revenue
UNION ALL
SELECT 'gold.daily_category_sales', CAST(event_date AS STRING) || ' ' || category,
       purchases, unique_buyers, NULL, CAST(revenue_usd AS DECIMAL(38, 6)), NULL
FROM gold.daily_category_sales
UNION ALL
SELECT 'gold.daily_funnel', CAST(event_date AS STRING),
       sessions_viewed, sessions_added_to_cart, sessions_purchased, NULL, view_to_purchase_rate
FROM gold.daily_funnel
UNION ALL
SELECT 'silver.events', event_type, count(*), count(DISTINCT user_id), count(DISTINCT session_id),
       CAST(sum(revenue_usd) AS DECIMAL(38, 6)), NULL
FROM silver.events GROUP BY event_type
UNION ALL
SELECT 'silver.quarantine', reason, count(*), NULL, NULL, NULL, NULL
FROM silver.quarantine GROUP BY reason
UNION ALL
SELECT 'bronze.events', 'all', count(*), NULL, NULL, NULL, NULL FROM bronze.events
"""


def summary_row(cells):
    """A summary row as comparable values: text, exact integers and decimals, a float or None."""
    q, k, n1, n2, n3, d1, r1 = (None if c in ("", None) else c for c in cells)
    return (
        q,
        k,
        *(None if n is None else int(n) for n in (n1, n2, n3)),
        None if d1 is None else Decimal(str(d1)),
        None if r1 is None else float(r1),
    )


def test_delta_rs_reads_the_same_gold_as_medallion_sql(lakehouse):
    query = f"SELECT {', '.join(COLUMNS)} FROM gold.hourly_revenue ORDER BY window_start, event_type"
    from_sql = spark_sql(lakehouse, query)

    table = DeltaTable(str(lakehouse / "gold" / "hourly_revenue"))
    rows = sorted(
        table.to_pyarrow_table(columns=COLUMNS).to_pylist(),
        key=lambda r: (r["window_start"], r["event_type"]),
    )
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


def test_duckdb_answers_the_same_queries_as_spark(lakehouse):
    from_spark = sorted(
        summary_row(cells) for cells in spark_sql(lakehouse, SUMMARY)[1:]
    )

    con = duckdb_with_delta()
    scans = re.sub(
        r"FROM (bronze|silver|gold)\.([a-z_]+)",
        lambda m: f"FROM delta_scan('{lakehouse / m.group(1) / m.group(2)}')",
        SUMMARY,
    )
    from_duckdb = sorted(summary_row(row) for row in con.execute(scans).fetchall())

    assert {row[0] for row in from_spark} == {
        "gold.hourly_revenue",
        "gold.daily_category_sales",
        "gold.daily_funnel",
        "silver.events",
        "silver.quarantine",
        "bronze.events",
    }
    assert [row[:6] for row in from_duckdb] == [row[:6] for row in from_spark]
    for duck, spark in zip(from_duckdb, from_spark):
        assert (duck[6] is None and spark[6] is None) or math.isclose(
            duck[6], spark[6], rel_tol=1e-12
        ), (duck, spark)
    assert sum(row[2] for row in from_spark if row[0] == "silver.events") == 3000


def test_every_table_stays_readable_by_every_delta_reader(lakehouse):
    """Reader version 1, no reader features: what delta-rs, DuckDB, Trino and Polars all read.

    A change that raises it (deletion vectors, column mapping, ...) fails here: decide it
    deliberately and say in bi/README.md which readers it leaves out.
    """
    tables = json.loads(MANIFEST.read_text())["tables"]
    con = duckdb_with_delta()
    for table in tables:
        location = lakehouse / table["path"]
        delta = DeltaTable(str(location))
        protocol = delta.protocol()
        assert (protocol.min_reader_version, protocol.reader_features) == (1, None), (
            table["sql_name"]
        )
        (count,) = con.execute(
            f"SELECT count(*) FROM delta_scan('{location}')"
        ).fetchone()
        assert count == delta.to_pyarrow_table().num_rows, table["sql_name"]
        if table["layer"] == "gold":
            # The declaration's descriptions are in the Delta log, where any reader finds them.
            assert delta.metadata().description, table["sql_name"]
            undescribed = [
                f.name for f in delta.schema().fields if not f.metadata.get("comment")
            ]
            assert undescribed == [], table["sql_name"]
