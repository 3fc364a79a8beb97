"""medallion_pipeline end to end in a real Airflow: each task spark-submits the cluster job jar
(with the spark-submit pyspark ships) against a real Kafka broker, and gold is then compared
with the generator's ground truth, aggregated here in plain Python.
"""

import json
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyspark
import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.models.asset import AssetEvent, AssetModel
from airflow.utils.session import create_session
from deltalake import DeltaTable
from sqlalchemy import select

from conftest import DAGS

REPO = Path(__file__).resolve().parents[2]
JAR = REPO / "launcher" / "target" / "medallion-cluster.jar"
EVENTS = 3000
HOUR_MS = 3_600_000
FX = Decimal("1.08")


@pytest.fixture(scope="module")
def airflow_db():
    """Airflow's metadata database (SQLite in the test AIRFLOW_HOME), which dag.test() needs."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, timeout=600)


@pytest.fixture
def kafka(tmp_path):
    """A real broker with generated events, from `bin/medallion local-kafka`; stopped at the end."""
    truth = tmp_path / "truth.jsonl"
    log = (tmp_path / "local-kafka.log").open("w")
    broker = subprocess.Popen(
        [str(REPO / "bin" / "medallion"), "local-kafka", "--events", str(EVENTS), "--truth", str(truth)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        servers = None
        for line in broker.stdout:  # ends if the process dies
            if line.startswith("bootstrap.servers="):
                servers = line.strip().split("=", 1)[1]
                break
        assert servers, "local-kafka did not start; see " + log.name
        yield servers, truth
    finally:
        broker.stdin.close()
        try:
            broker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            broker.kill()
        log.close()


def expected_hourly(truth):
    groups = defaultdict(lambda: {"count": 0, "total": Decimal("0.000000"), "users": set()})
    for line in truth.read_text().splitlines():
        event = json.loads(line)
        hour = event["timestamp"] - event["timestamp"] % HOUR_MS
        group = groups[(hour, event["event_type"])]
        group["count"] += 1
        group["users"].add(event["user_id"])
        if event["revenue"] is not None:
            group["total"] += (Decimal(str(event["revenue"])) * FX).quantize(Decimal("0.000001"))
    return {key: (g["count"], g["total"], len(g["users"])) for key, g in groups.items()}


@pytest.mark.parametrize("one_jvm", ["0", "1"], ids=["task-per-layer", "one-jvm"])
def test_pipeline_dag_runs_every_layer_and_gold_matches_ground_truth(airflow_db, kafka, tmp_path, monkeypatch, one_jvm):
    assert JAR.exists(), f"build the cluster jar first (mvn package): {JAR}"
    monkeypatch.setenv("MEDALLION_PIPELINE_ONE_JVM", one_jvm)
    servers, truth = kafka
    lakehouse = tmp_path / "lakehouse"
    spark_home = Path(pyspark.__file__).parent
    monkeypatch.setenv("SPARK_HOME", str(spark_home))
    monkeypatch.setenv("PATH", f"{spark_home / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_JAR", str(JAR))
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_LAKEHOUSE_ROOT", str(lakehouse))
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_KAFKA_BOOTSTRAP_SERVERS", servers)
    # A run of 3,000 events is seconds long: the quick compiler only, as bin/medallion's short runs.
    spark_conf = {
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m",
    }
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_SPARK_CONF", json.dumps(spark_conf))
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"}))

    dag = DagBag(dag_folder=str(DAGS), bundle_path=DAGS).dags["medallion_pipeline"]
    run = dag.test()

    assert run.state == "success"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["status"] == "success"
    # Each layer's Asset events carry the Delta version its run wrote, from the run ledger.
    with create_session() as session:
        extras = dict(
            session.execute(
                select(AssetModel.name, AssetEvent.extra)
                .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                .where(AssetEvent.source_run_id == run.run_id)
            ).all()
        )
    for table in ("bronze/events", "silver/events", "silver/quarantine", "gold/hourly_revenue"):
        name = "medallion." + table.replace("/", ".")
        assert extras[name]["version"] == DeltaTable(str(lakehouse / table)).version(), (name, extras)
        assert extras[name]["run_id"]
    rows = DeltaTable(str(lakehouse / "gold" / "hourly_revenue")).to_pyarrow_table().to_pylist()
    actual = {
        (int(r["window_start"].timestamp() * 1000), r["event_type"]): (
            r["event_count"],
            r["total_revenue"],
            r["unique_users"],
        )
        for r in rows
    }
    expected = expected_hourly(truth)
    assert sum(count for count, _, _ in expected.values()) == EVENTS
    assert actual == expected


def test_rerun_with_bad_params_fails_in_plan_and_launches_nothing(airflow_db, tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_JAR", str(tmp_path / "never-used.jar"))
    monkeypatch.setenv("AIRFLOW_VAR_MEDALLION_LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[1]"}))
    dag = DagBag(dag_folder=str(DAGS), bundle_path=DAGS).dags["medallion_rerun"]

    run = dag.test(run_conf={"layers": ["silver"], "full_refresh": True})

    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["plan"] == "failed"
    for job in ("bronze", "silver", "quarantine_replay", "gold"):
        assert states.get(job) != "success", states
    assert not (tmp_path / "lakehouse").exists()
