"""`bin/medallion serve` answers BI tools and notebooks as the tables hold, and changes nothing.

One server (HiveServer2 and Spark Connect, with a token) over the demo lakehouse, reached by the
clients BI tools use: PyHive's DB-API and its SQLAlchemy `hive://` dialect (Superset's Spark SQL
driver), beeline (the Hive JDBC driver, as DBeaver and Tableau's JDBC route use it), the Spark
Connect JDBC driver, and pyspark's Spark Connect client (notebooks). Expected answers come from
DuckDB reading the same Delta tables: an engine that shares no code with Spark.
"""

import os
import socket
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
import sqlalchemy
from deltalake import DeltaTable
from medallion_cli import MEDALLION, duckdb_with_delta, settings
from pyhive import hive

TOKEN = "bi-test-token-7d1f"
# The hour as text: Spark's CAST, DuckDB's strftime (DuckDB's CAST adds the zone).
HOURLY_OF = (
    "SELECT {hour} AS hour, event_type, event_count, unique_users,"
    " CAST(total_revenue AS STRING) AS revenue FROM gold.hourly_revenue"
    " ORDER BY window_start, event_type"
)
HOURLY = HOURLY_OF.format(hour="CAST(window_start AS STRING)")
SESSIONS = "SELECT count(*), sum(purchases), CAST(sum(revenue_usd) AS STRING) FROM gold.sessions"
START_TIMEOUT_SECONDS = 240


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """`bin/medallion serve` in its own process, its standard output collected."""

    def __init__(self, lakehouse, log):
        self.thrift, self.connect = free_port(), free_port()
        ports = [
            "--set",
            f"serve.thrift.port={self.thrift}",
            "--set",
            f"serve.connect.port={self.connect}",
        ]
        self.lines = []
        self.process = subprocess.Popen(
            [MEDALLION, "serve", *settings(lakehouse), *ports],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=dict(os.environ, MEDALLION_SERVE_TOKEN=TOKEN),
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while "serve: ready; stop with SIGTERM or Ctrl-C" not in self.lines:
            assert self.process.poll() is None, (
                f"serve exited with {self.process.returncode}: {self.lines}"
            )
            assert time.monotonic() < deadline, (
                f"serve not ready in {START_TIMEOUT_SECONDS} s: {self.lines}"
            )
            time.sleep(0.5)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(60)


@pytest.fixture(scope="module")
def server(lakehouse, tmp_path_factory):
    log_file = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log_file, "w") as log:
        started = Server(lakehouse, log)
        started.log = log_file
        yield started
        started.stop()


def pyhive_rows(server, query, password=TOKEN):
    connection = hive.connect(
        host="127.0.0.1",
        port=server.thrift,
        username="bi",
        password=password,
        auth="CUSTOM",
        database="gold",
    )
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        connection.close()


def connect_session(server, token=TOKEN):
    from pyspark.sql import SparkSession

    warnings.filterwarnings("ignore", category=FutureWarning)  # pyspark on pandas 3
    # Spark Connect clients send a token over plain gRPC to `localhost` only.
    return SparkSession.builder.remote(
        f"sc://localhost:{server.connect}/;token={token}"
    ).create()


def spark_home():
    import pyspark

    return Path(pyspark.__file__).parent


def beeline(url, query, *options, classpath=""):
    result = subprocess.run(
        [str(spark_home() / "bin" / "beeline"), "-u", url, *options, "--silent=true"]
        + ["--outputformat=csv2", "--showHeader=false", "-e", query],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(
            os.environ, SPARK_HOME=str(spark_home()), SPARK_DIST_CLASSPATH=classpath
        ),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    # beeline prints its prompt before the first row: "0: jdbc:...> first,row".
    rows = [
        line.split("> ", 1)[-1] if line.startswith("0: jdbc") else line
        for line in result.stdout.splitlines()
    ]
    return [tuple(row.split(",")) for row in rows if row]


def texts(rows):
    return [tuple("" if cell is None else str(cell) for cell in row) for row in rows]


def expected(lakehouse, query):
    """The answer DuckDB reads from the Delta tables themselves."""
    con = duckdb_with_delta()
    for table in ("hourly_revenue", "sessions"):
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM delta_scan('{lakehouse / 'gold' / table}')"
        )
    hour = "strftime(window_start, '%Y-%m-%d %H:%M:%S')"
    duck = query.replace(HOURLY, HOURLY_OF.format(hour=hour)).replace("gold.", "")
    duck = duck.replace("AS STRING", "AS VARCHAR")
    return texts(con.execute(duck).fetchall())


def test_every_client_reads_gold_as_the_tables_hold(lakehouse, server):
    hourly, sessions = expected(lakehouse, HOURLY), expected(lakehouse, SESSIONS)
    assert len(hourly) > 20 and int(sessions[0][0]) > 100

    assert texts(pyhive_rows(server, HOURLY)) == hourly
    engine = sqlalchemy.create_engine(
        f"hive://bi:{TOKEN}@127.0.0.1:{server.thrift}/gold?auth=CUSTOM"
    )
    with engine.connect() as connection:
        assert (
            texts(connection.execute(sqlalchemy.text(SESSIONS)).fetchall()) == sessions
        )
        columns = [
            column["name"]
            for column in sqlalchemy.inspect(connection).get_columns("hourly_revenue")
        ]
        assert columns[:3] == ["window_start", "window_end", "event_type"]
    hive_jdbc = f"jdbc:hive2://127.0.0.1:{server.thrift}/gold"
    assert beeline(hive_jdbc, HOURLY, "-n", "bi", "-p", TOKEN) == hourly

    session = connect_session(server)
    try:
        assert texts(session.sql(HOURLY).collect()) == hourly
        assert texts(
            session.table("gold.sessions").selectExpr("count(*)").collect()
        ) == [(sessions[0][0],)]
    finally:
        session.stop()
    jars = spark_home() / "jars" / "connect-repl"
    connect_jdbc = f"jdbc:sc://localhost:{server.connect}/;token={TOKEN}"
    driver = "org.apache.spark.sql.connect.client.jdbc.SparkConnectDriver"
    classpath = ":".join(str(jar) for jar in jars.glob("spark-connect-client-*.jar"))
    assert (
        beeline(connect_jdbc, SESSIONS, "-d", driver, classpath=classpath) == sessions
    )


def test_clients_without_the_token_are_refused(server):
    with pytest.raises(Exception, match="Error validating the login"):
        pyhive_rows(server, "SELECT 1", password="not-the-token")
    refused = connect_session(server, token="not-the-token")
    try:
        with pytest.raises(Exception, match="UNAUTHENTICATED|authenticat"):
            refused.sql("SELECT 1").collect()
    finally:
        refused.stop()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO gold.hourly_revenue SELECT * FROM gold.hourly_revenue",
        "DELETE FROM gold.sessions WHERE purchases = 0",
        "DROP TABLE gold.sessions",
        "CACHE TABLE gold.hourly_revenue",
        "CREATE TABLE gold.copy USING delta AS SELECT * FROM gold.sessions",
        "SET spark.sql.runSQLOnFiles = true",
    ],
)
def test_statements_that_change_anything_are_refused(lakehouse, server, statement):
    versions = {
        table: DeltaTable(str(lakehouse / "gold" / table)).version()
        for table in ("hourly_revenue", "sessions")
    }
    with pytest.raises(Exception, match="medallion serve is read-only"):
        pyhive_rows(server, statement)
    session = connect_session(server)
    try:
        with pytest.raises(Exception, match="medallion serve is read-only"):
            session.sql(statement).collect()
        with pytest.raises(Exception, match="medallion serve is read-only"):
            session.table("gold.sessions").write.mode("append").saveAsTable(
                "gold.sessions"
            )
    finally:
        session.stop()
    after = {
        table: DeltaTable(str(lakehouse / "gold" / table)).version()
        for table in versions
    }
    assert after == versions
    assert not (lakehouse / "gold" / "copy").exists()


def test_a_gold_run_is_seen_without_a_restart_and_reads_during_it_stay_whole(
    lakehouse, server
):
    hourly = expected(lakehouse, HOURLY)
    before = DeltaTable(str(lakehouse / "gold" / "hourly_revenue")).version()
    refresh = subprocess.Popen(
        [MEDALLION, "gold", "--full-refresh", "--quiet", *settings(lakehouse)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    session = connect_session(server)
    reads = 0
    try:
        deadline = time.monotonic() + 600
        while refresh.poll() is None and time.monotonic() < deadline:
            assert texts(pyhive_rows(server, HOURLY)) == hourly
            assert texts(session.sql(HOURLY).collect()) == hourly
            reads += 2
        assert refresh.wait(60) == 0, refresh.stderr.read()[-3000:]
        after = DeltaTable(str(lakehouse / "gold" / "hourly_revenue")).version()
        assert after > before
        history = "DESCRIBE HISTORY gold.hourly_revenue"
        assert max(int(row[0]) for row in pyhive_rows(server, history)) == after
        assert max(row["version"] for row in session.sql(history).collect()) == after
        assert texts(session.sql(HOURLY).collect()) == hourly
    finally:
        session.stop()
        refresh.kill()
    assert reads >= 2


def test_sigterm_stops_both_servers(server):
    server.process.terminate()
    server.process.wait(60)
    server.reader.join(10)
    assert server.lines[-1] == "serve: stopped"
    assert not listening(server.thrift) and not listening(server.connect)
    assert TOKEN not in server.log.read_text()


def test_a_server_beyond_loopback_needs_a_token(lakehouse):
    result = subprocess.run(
        [MEDALLION, "serve", *settings(lakehouse), "--set", "serve.host=0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert (
        "serve.host=0.0.0.0 listens beyond this machine: set a token" in result.stderr
    )
