"""A real BI tool over `bin/medallion serve`: Apache Superset draws gold.hourly_revenue.

Run by `bin/superset-chart` (see bi/README.md). On 127.0.0.1 only, everything in one temporary
folder, every process stopped at the end:
  1. the demo's lakehouse (`bin/medallion demo`: embedded Kafka, local Spark, local Delta);
  2. `bin/medallion serve` with a token;
  3. Superset with its own SQLite metadata database, an admin, and its web server;
  4. through Superset's REST API: a database connection to serve (PyHive, `hive://`, the token
     as password), a dataset of gold.hourly_revenue and a bar chart of revenue per event type;
  5. the chart's data as Superset computes it through serve, checked equal to DuckDB's answer
     over the same Delta table (a reader that shares no code with Spark);
  6. the chart rendered in headless Chromium, logged in as a user would, kept as a PNG.
Exits non-zero, naming the step, when any of it fails.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bi" / "tests"))
from medallion_cli import MEDALLION, duckdb_with_delta, settings  # noqa: E402

START_TIMEOUT_SECONDS = 300
CHART = "Revenue per event type (gold.hourly_revenue)"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what, ready, process, timeout=START_TIMEOUT_SECONDS):
    """Waits, bounded, until `ready()` holds; fails at once if `process` exits."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not ready in {timeout} s")
        time.sleep(1)


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def step(message):
    print(f"superset-chart: {message}", flush=True)


class Superset:
    """Superset's web server and its REST API, logged in as the admin."""

    def __init__(self, home, port, env):
        self.base = f"http://127.0.0.1:{port}"
        self.env = env
        self.password = secrets.token_hex(12)
        self.log = open(home / "superset.log", "w")
        for command in (
            ["db", "upgrade"],
            ["fab", "create-admin", "--username", "admin", "--firstname", "Medallion"]
            + ["--lastname", "Admin", "--email", "admin@localhost", "--password", self.password],
            ["init"],
        ):
            subprocess.run(
                [superset_cli(), *command], env=env, check=True, stdout=self.log, stderr=self.log
            )
        self.process = subprocess.Popen(
            [superset_cli(), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        wait_for("superset", lambda: self.healthy(), self.process)
        login = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": "admin", "password": self.password, "provider": "db", "refresh": True},
            token=None,
        )
        self.token = login["access_token"]

    def healthy(self):
        try:
            with urllib.request.urlopen(self.base + "/health", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def call(self, method, path, body=None, token="default"):
        token = self.token if token == "default" else token
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers=({} if body is None else {"Content-Type": "application/json"})
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise SystemExit(f"superset {method} {path}: {e.code} {e.read()[:2000]!r}") from e

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)
        self.log.close()


def superset_cli():
    return str(Path(sys.executable).with_name("superset"))


def serve(lakehouse, token, home):
    thrift, connect = free_port(), free_port()
    log = open(home / "serve.log", "w")
    process = subprocess.Popen(
        [MEDALLION, "serve", *settings(lakehouse)]
        + ["--set", f"serve.thrift.port={thrift}", "--set", f"serve.connect.port={connect}"],
        env=os.environ | {"MEDALLION_SERVE_TOKEN": token},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for("serve", lambda: "serve: ready" in (home / "serve.log").read_text(), process)
    return process, thrift


def revenue_by_type_duckdb(lakehouse):
    con = duckdb_with_delta()
    rows = con.execute(
        f"SELECT event_type, sum(total_revenue) FROM delta_scan('{lakehouse}/gold/hourly_revenue')"
        " GROUP BY event_type"
    ).fetchall()
    return {event_type: cents(total) for event_type, total in rows}


def cents(value):
    """A revenue to compare: Superset's JSON carries a float, DuckDB a DECIMAL(38,6)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def chart(superset, thrift, token):
    database = superset.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": "medallion serve",
            "sqlalchemy_uri": f"hive://superset:{token}@127.0.0.1:{thrift}/gold?auth=CUSTOM",
            "expose_in_sqllab": True,
        },
    )["id"]
    dataset = superset.call(
        "POST",
        "/api/v1/dataset/",
        {"database": database, "schema": "gold", "table_name": "hourly_revenue"},
    )["id"]
    metric = {
        "expressionType": "SIMPLE",
        "column": {"column_name": "total_revenue"},
        "aggregate": "SUM",
        "label": "revenue",
    }
    params = {
        "viz_type": "echarts_timeseries_bar",
        "datasource": f"{dataset}__table",
        "x_axis": "event_type",
        "metrics": [metric],
        "groupby": [],
        "adhoc_filters": [],
        "row_limit": 100,
        "orientation": "vertical",
        "show_legend": False,
        "show_value": True,
    }
    query_context = {
        "datasource": {"id": dataset, "type": "table"},
        "force": True,
        "queries": [
            {
                "columns": ["event_type"],
                "metrics": [metric],
                "orderby": [[metric, False]],
                "row_limit": 100,
            }
        ],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    chart_id = superset.call(
        "POST",
        "/api/v1/chart/",
        {
            "slice_name": CHART,
            "viz_type": params["viz_type"],
            "datasource_id": dataset,
            "datasource_type": "table",
            "params": json.dumps(params),
            "query_context": json.dumps(query_context),
        },
    )["id"]
    data = superset.call("GET", f"/api/v1/chart/{chart_id}/data/?format=json")
    rows = data["result"][0]["data"]
    return chart_id, {row["event_type"]: cents(row["revenue"]) for row in rows}


def screenshot(superset, chart_id, out):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 700})
            # Logged in through Superset's login form (its session cookie, as a browser gets it).
            login = context.request.post(
                superset.base + "/login/",
                form={"username": "admin", "password": superset.password},
            )
            if not login.ok:
                raise SystemExit(f"superset login: {login.status}")
            page = context.new_page()
            page.goto(superset.base + f"/explore/?slice_id={chart_id}&standalone=1")
            page.wait_for_selector("canvas, svg.echarts, .echarts-for-react", timeout=180_000)
            time.sleep(3)  # the bars' entry animation
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="demo events (default 3000)")
    parser.add_argument("--out", default=str(REPO / "target" / "superset-chart.png"))
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="superset-chart-") as tmp:
        home = Path(tmp)
        lakehouse = home / "lakehouse"
        step(f"the demo's lakehouse ({args.events} events) in {lakehouse}")
        subprocess.run(
            [MEDALLION, "demo", "--events", str(args.events), *settings(lakehouse)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        token = secrets.token_hex(16)
        step("bin/medallion serve, with a token")
        serve_process, thrift = serve(lakehouse, token, home)
        superset = None
        try:
            (home / "superset_config.py").write_text(
                f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
                f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home / 'superset.db'}'\n"
                "WTF_CSRF_ENABLED = False\n"
                "TALISMAN_ENABLED = False\n"
            )
            env = os.environ | {
                "SUPERSET_CONFIG_PATH": str(home / "superset_config.py"),
                "SUPERSET_HOME": str(home / "superset"),
                "FLASK_APP": "superset",
            }
            step("Superset: metadata database, admin, web server")
            superset = Superset(home, free_port(), env)
            step("Superset: database connection to serve, dataset, chart")
            chart_id, drawn = chart(superset, thrift, token)
            expected = revenue_by_type_duckdb(lakehouse)
            for event_type, revenue in sorted(drawn.items()):
                step(f"  {event_type}: {revenue} (DuckDB: {expected.get(event_type)})")
            if drawn != expected:
                raise SystemExit(f"the chart's numbers {drawn} differ from DuckDB's {expected}")
            step("the chart's numbers equal DuckDB's over the same table")
            screenshot(superset, chart_id, out)
            step(f"the chart rendered in headless Chromium: {out}")
        finally:
            if superset is not None:
                superset.stop()
            os.killpg(serve_process.pid, signal.SIGTERM)
            serve_process.wait(120)


if __name__ == "__main__":
    main()
