"""`bin/medallion serve` answers BI tools and notebooks as the tables hold, and changes nothing.

One server (HiveServer2 and Spark Connect, with a token) over the demo lakehouse, reached by the
clients BI tools use: PyHive's DB-API and its SQLAlchemy `hive://` dialect (Superset's Spark SQL
driver), beeline (the Hive JDBC driver, as DBeaver and Tableau's JDBC route use it), the Spark
Connect JDBC driver, and pyspark's Spark Connect client (notebooks). Expected answers come from
DuckDB reading the same Delta tables: an engine that shares no code with Spark.
"""

import os
import re
import socket
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest
import sqlalchemy
from deltalake import DeltaTable
from medallion_cli import MEDALLION, duckdb_with_delta, log_warnings, settings
from pyhive import hive

TOKEN = "bi-test-token-7d1f"
# Secrets the server holds: a hostile client must get none of them back.
S3_SECRET = "s3-secret-of-the-server-91c2"
PROBE_FILE = Path("/tmp/medallion-serve-probe")
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

    def __init__(self, lakehouse, log, extra=(), env=None):
        self.thrift, self.connect = free_port(), free_port()
        ports = [
            "--set",
            f"serve.thrift.port={self.thrift}",
            "--set",
            f"serve.connect.port={self.connect}",
            *extra,
        ]
        self.lines = []
        self.process = subprocess.Popen(
            [MEDALLION, "serve", *settings(lakehouse), *ports],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=dict(
                os.environ,
                MEDALLION_SERVE_TOKEN=TOKEN,
                MEDALLION_S3_ACCESS_KEY="s3-access-of-the-server",
                MEDALLION_S3_SECRET_KEY=S3_SECRET,
                **(env or {}),
            ),
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


def pyhive_rows(server, query, password=TOKEN, configuration=None):
    connection = hive.connect(
        host="127.0.0.1",
        port=server.thrift,
        username="bi",
        password=password,
        auth="CUSTOM",
        database="gold",
        configuration=configuration,
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


READ_ONLY = "medallion serve is read-only"
SECRETS = (TOKEN, S3_SECRET)


def table_versions(lakehouse):
    tables = [lakehouse / "silver" / "events", lakehouse / "silver" / "quarantine"]
    tables += sorted(path for path in (lakehouse / "gold").iterdir() if path.is_dir())
    return {str(table): DeltaTable(str(table)).version() for table in tables}


@pytest.fixture
def untouched(lakehouse, server):
    """After every hostile probe: no table changed, no file written, the server still up."""
    before = table_versions(lakehouse)
    PROBE_FILE.unlink(missing_ok=True)
    yield
    assert table_versions(lakehouse) == before
    assert not PROBE_FILE.exists()
    assert not (lakehouse / "gold" / "copy").exists()
    assert server.process.poll() is None


def refused_with(answer, pattern=READ_ONLY):
    """The probe's error, checked for its message and for every secret of the server."""
    with pytest.raises(Exception) as refused:
        answer()
    text = str(refused.value)
    assert re.search(pattern, text), text[-2000:]
    assert not any(secret in text for secret in SECRETS)


HIVE_PROBES = {
    "script transform": f"SELECT TRANSFORM(1) USING 'sh -c \"id > {PROBE_FILE}\"' AS (x)",
    "reflect getenv": "SELECT reflect('java.lang.System', 'getenv', 'MEDALLION_SERVE_TOKEN')",
    "java_method getenv": "SELECT java_method('java.lang.System', 'getenv', 'MEDALLION_S3_SECRET_KEY')",
    "try_reflect runtime": "SELECT try_reflect('java.lang.Runtime', 'getRuntime')",
    "reflect by identifier": "SELECT IDENTIFIER('reflect')('java.lang.System', 'getenv', 'HOME')",
    "reflect in a subquery": "SELECT 1 FROM gold.sessions WHERE EXISTS"
    " (SELECT reflect('java.lang.System', 'getenv', 'HOME'))",
    "execute immediate insert": "EXECUTE IMMEDIATE 'INSERT INTO gold.sessions SELECT * FROM gold.sessions'",
    "execute immediate reflect": "EXECUTE IMMEDIATE 'SELECT reflect(''java.lang.System'', ''getenv'', ''HOME'')'",
    "explain execute immediate": "EXPLAIN EXECUTE IMMEDIATE 'DELETE FROM gold.sessions'",
    "sql script": "BEGIN INSERT INTO gold.sessions SELECT * FROM gold.sessions; END",
    "add jar": "ADD JAR /tmp/medallion-probe.jar",
    "hive udf": "CREATE TEMPORARY FUNCTION probe AS 'org.apache.hadoop.hive.ql.udf.UDFLength'",
    "sql udf": "CREATE TEMPORARY FUNCTION plus(x INT) RETURNS INT RETURN x + 1",
    "session variable": "DECLARE VARIABLE probe INT DEFAULT 1",
    "temporary view": "CREATE TEMPORARY VIEW probe AS SELECT 1",
    "clear cache": "CLEAR CACHE",
    "uncache": "UNCACHE TABLE gold.sessions",
    "set redaction": "SET spark.redaction.regex = nothing",
    "reset": "RESET",
    "vacuum": "VACUUM gold.sessions RETAIN 0 HOURS",
    "optimize": "OPTIMIZE gold.sessions",
    "restore": "RESTORE TABLE gold.sessions TO VERSION AS OF 0",
    "changes by path": "SELECT * FROM table_changes_by_path('{silver}', 0)",
    "file by path": "SELECT * FROM parquet.`{silver}`",
    "bronze not served": "SELECT * FROM bronze.events",
    "a forged log line": "SET `spark.probe\nFORGED WARN a line the server never wrote` = 1",
}


@pytest.mark.parametrize("probe", sorted(HIVE_PROBES))
def test_hostile_sql_is_refused_over_hiveserver2(lakehouse, server, untouched, probe):
    statement = HIVE_PROBES[probe].format(silver=lakehouse / "silver" / "events")
    pattern = {
        "sql script": f"{READ_ONLY}|PARSE_SYNTAX_ERROR|SQL_SCRIPT",
        "file by path": f"{READ_ONLY}|TABLE_OR_VIEW_NOT_FOUND|not found",
        "bronze not served": "TABLE_OR_VIEW_NOT_FOUND",
    }.get(probe, READ_ONLY)
    refused_with(lambda: pyhive_rows(server, statement), pattern)


def test_a_session_overlay_cannot_widen_a_hiveserver2_session(
    lakehouse, server, untouched
):
    silver = lakehouse / "silver" / "events"
    overlay = {"set:hiveconf:spark.sql.runSQLOnFiles": "true"}
    refused_with(
        lambda: pyhive_rows(
            server, f"SELECT count(*) FROM parquet.`{silver}`", configuration=overlay
        ),
        f"{READ_ONLY} and does not run a session whose settings were changed",
    )
    variables = {"set:hivevar:spark.sql.scripting.enabled": "true"}
    refused_with(
        lambda: pyhive_rows(server, "SELECT 1", configuration=variables),
        "spark.sql.scripting.enabled",
    )


def test_settings_listed_over_hiveserver2_hold_no_secret(server, untouched):
    for statement in ("SET", "SET -v", "SET spark.hadoop.fs.s3a.secret.key"):
        answer = str(pyhive_rows(server, statement))
        assert not any(secret in answer for secret in SECRETS), statement
    assert pyhive_rows(server, "SET spark.sql.session.timeZone") == [
        ("spark.sql.session.timeZone", "UTC")
    ]


def connect_probes(lakehouse, tmp_path):
    from pyspark.sql.functions import col, udf

    silver = str(lakehouse / "silver" / "events")
    gold = str(lakehouse / "gold" / "sessions")
    artifact = tmp_path / "probe.py"
    artifact.write_text("x = 1\n")
    return {
        "read a file": lambda s: s.read.text("/etc/hostname").collect(),
        "read parquet by path": lambda s: s.read.parquet(silver).count(),
        "read delta by path": lambda s: s.read.format("delta").load(gold).count(),
        "set a setting": lambda s: s.conf.set("spark.sql.runSQLOnFiles", "true"),
        "unset a setting": lambda s: s.conf.unset("spark.sql.shuffle.partitions"),
        "read the token": lambda s: s.conf.get("spark.connect.authenticate.token"),
        "read the s3 secret": lambda s: s.conf.get("spark.hadoop.fs.s3a.secret.key"),
        "read every setting": lambda s: s.conf.getAll,
        "add an artifact": lambda s: s.addArtifacts(str(artifact), pyfile=True),
        "stream gold into itself": lambda s: (
            s.readStream.table("gold.sessions")
            .writeStream.option("checkpointLocation", str(tmp_path / "cp"))
            .toTable("gold.sessions")
        ),
        "cache a table": lambda s: s.catalog.cacheTable("gold.sessions"),
        "clear the cache": lambda s: s.catalog.clearCache(),
        "cache a frame": lambda s: s.table("gold.sessions").cache().count(),
        "persist a frame": lambda s: s.table("gold.sessions").persist().count(),
        "checkpoint a frame": lambda s: (
            s.table("gold.sessions").localCheckpoint().count()
        ),
        "python udf": lambda s: (
            s.range(1).select(udf(lambda x: x)(col("id"))).collect()
        ),
        "register a udf": lambda s: s.udf.register("probe", lambda x: x),
        "map in pandas": lambda s: (
            s.range(1).mapInPandas(lambda it: it, "id long").collect()
        ),
        "temporary view": lambda s: s.range(1).createOrReplaceTempView("probe"),
        "global view": lambda s: s.range(1).createGlobalTempView("probe"),
        "create a table": lambda s: s.catalog.createTable("gold.copy", path=gold),
        "drop a table": lambda s: s.catalog.dropTempView("probe"),
        "write a table": lambda s: (
            s.table("gold.sessions").write.mode("append").saveAsTable("gold.sessions")
        ),
        "write files": lambda s: s.table("gold.sessions").write.parquet(
            str(PROBE_FILE)
        ),
        "reflect in sql": lambda s: s.sql(
            "SELECT reflect('java.lang.System', 'getenv', 'MEDALLION_SERVE_TOKEN')"
        ).collect(),
        "reflect in a frame": lambda s: (
            s.range(1)
            .selectExpr("java_method('java.lang.System', 'getenv', 'HOME')")
            .collect()
        ),
        "script transform": lambda s: s.sql(
            f"SELECT TRANSFORM(1) USING 'touch {PROBE_FILE}' AS (x)"
        ).collect(),
        "execute immediate": lambda s: s.sql(
            "EXECUTE IMMEDIATE 'DELETE FROM gold.sessions'"
        ).collect(),
        "a forged log line": lambda s: s.conf.set(
            "spark.probe\nFORGED WARN a line the server never wrote", "1"
        ),
    }


def test_hostile_requests_are_refused_over_spark_connect(
    lakehouse, server, untouched, tmp_path
):
    session = connect_session(server)
    try:
        for name, probe in connect_probes(lakehouse, tmp_path).items():
            try:
                refused_with(lambda probe=probe: probe(session))
            except AssertionError as failed:
                raise AssertionError(f"{name}: {failed}") from None
        # What clients do to read still answers in the same session.
        assert session.conf.get("spark.sql.session.timeZone") == "UTC"
        assert "sessions" in [
            table.name for table in session.catalog.listTables("gold")
        ]
        assert session.table("gold.sessions").count() > 100
    finally:
        session.stop()


def test_the_servers_log_says_each_refusal_in_one_line(server):
    """After the hostile probes: a line per refusal, no stack trace, no secret, no metastore notes."""
    log = server.log.read_text()
    assert "serve: refused: medallion serve is read-only" in log
    assert "serve: refused over Spark Connect:" in log
    assert "serve: refused a login as 'bi': wrong token" in log
    assert "not-the-token" not in log
    assert not [line for line in log.splitlines() if line.startswith("\tat ")]
    # A client's text is logged inside its refusal's line, never as a line of its own.
    assert not [line for line in log.splitlines() if line.startswith("FORGED")]
    assert not any(secret in log for secret in SECRETS)
    noise = [line for line in log_warnings(log) if "serve: refused" not in line]
    assert noise == []


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


def serve_beyond_loopback(lakehouse, env=None):
    """`serve` on 0.0.0.0, which must refuse before it starts anything."""
    return subprocess.run(
        [MEDALLION, "serve", *settings(lakehouse), "--set", "serve.host=0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ, **(env or {})),
    )


def test_a_server_beyond_loopback_needs_a_token(lakehouse):
    result = serve_beyond_loopback(lakehouse)
    assert result.returncode == 2
    assert (
        "serve.host=0.0.0.0 listens beyond this machine: set a token" in result.stderr
    )


def test_a_token_beyond_loopback_needs_tls_or_the_operators_word(lakehouse):
    result = serve_beyond_loopback(lakehouse, {"MEDALLION_SERVE_TOKEN": TOKEN})
    assert result.returncode == 2
    assert "HiveServer2 would take the token over plain text" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_hiveserver2_speaks_tls_with_a_keystore(lakehouse, tmp_path):
    keystore, password = tmp_path / "serve.p12", "keystore-pass-5e1"
    subprocess.run(
        [
            "keytool",
            "-genkeypair",
            "-alias",
            "serve",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
        ]
        + ["-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost"]
        + ["-validity", "2", "-storetype", "PKCS12", "-keystore", str(keystore)]
        + ["-storepass", password, "-keypass", password],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with open(tmp_path / "serve.log", "w") as log:
        tls = Server(
            lakehouse,
            log,
            extra=["--set", f"serve.tls.keystore={keystore}"],
            env={"MEDALLION_SERVE_TLS_KEYSTORE_PASSWORD": password},
        )
        try:
            assert any(";ssl=true (TLS)" in line for line in tls.lines)
            url = (
                f"jdbc:hive2://127.0.0.1:{tls.thrift}/gold;ssl=true;"
                f"sslTrustStore={keystore};trustStorePassword={password}"
            )
            sessions = expected(lakehouse, SESSIONS)
            assert beeline(url, SESSIONS, "-n", "bi", "-p", TOKEN) == sessions
            with pytest.raises(Exception):  # noqa: B017 - plain text is not spoken
                pyhive_rows(tls, "SELECT 1")
        finally:
            tls.stop()
    assert password not in (tmp_path / "serve.log").read_text()
