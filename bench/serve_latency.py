"""Latency of a typical gold query through `bin/medallion serve` and through DuckDB.

Usage: target/python/bin/python bench/serve_latency.py LAKEHOUSE [REPEATS]

Starts `bin/medallion serve` over LAKEHOUSE (a lakehouse made by `bin/medallion demo`), then times
one dashboard query: the first run on a new connection (a BI tool opening a report) and the
median of REPEATS more (default 10), through HiveServer2 (PyHive), Spark Connect (pyspark) and
DuckDB's delta extension reading the Delta table itself (first run: a new DuckDB connection with
the extension loaded). Prints one Markdown table.
"""

import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bi" / "tests"))
from medallion_cli import MEDALLION, duckdb_with_delta

QUERY = (
    "SELECT event_type, sum(event_count) AS events, sum(total_revenue) AS revenue"
    " FROM gold.hourly_revenue GROUP BY event_type ORDER BY event_type"
)
TOKEN = "latency-token"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(run):
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def measure(name, connect, query, repeats):
    clients = []
    first = timed(
        lambda: query(clients.append(connect()) or clients[0])
    )  # connect + query
    client = clients[0]
    repeated = statistics.median(timed(lambda: query(client)) for _ in range(repeats))
    # A Spark Connect session left open retries its cleanup against the stopped server at exit.
    (getattr(client, "stop", None) or client.close)()
    print(f"| {name} | {first:,.0f} | {repeated:,.0f} |")


def main(lakehouse, repeats):
    from pyhive import hive
    from pyspark.sql import SparkSession

    warnings.filterwarnings("ignore")
    thrift, connect = free_port(), free_port()
    log = open(os.environ.get("SERVE_LOG", os.devnull), "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [MEDALLION, "serve", "--quiet", "--set", f"lakehouse.root={lakehouse}"]
        + [
            "--set",
            f"serve.thrift.port={thrift}",
            "--set",
            f"serve.connect.port={connect}",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=dict(os.environ, MEDALLION_SERVE_TOKEN=TOKEN),
    )
    try:
        for line in server.stdout:
            if line.startswith("serve: ready"):
                break
        else:
            sys.exit("serve stopped before it was ready")
        print("| path | first query on a new connection (ms) | repeated, median (ms) |")
        print("|---|---|---|")

        def hive_query(connection):
            cursor = connection.cursor()
            cursor.execute(QUERY)
            return cursor.fetchall()

        measure(
            "HiveServer2 (PyHive)",
            lambda: hive.connect(
                host="127.0.0.1",
                port=thrift,
                username="bi",
                password=TOKEN,
                auth="CUSTOM",
                database="gold",
            ),
            hive_query,
            repeats,
        )
        measure(
            "Spark Connect (pyspark)",
            lambda: SparkSession.builder.remote(
                f"sc://localhost:{connect}/;token={TOKEN}"
            ).create(),
            lambda session: session.sql(QUERY).collect(),
            repeats,
        )
        table = Path(lakehouse) / "gold" / "hourly_revenue"
        measure(
            "DuckDB (delta extension)",
            duckdb_with_delta,
            lambda con: con.execute(
                QUERY.replace("gold.hourly_revenue", f"delta_scan('{table}')")
            ).fetchall(),
            repeats,
        )
    finally:
        server.terminate()
        server.wait(60)
        log.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
