"""Every DAG imports in a real DagBag, with the shape the README promises."""

import json
from datetime import timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag

from conftest import DAGS

EXPECTED_DAGS = {"medallion_pipeline", "medallion_rerun", "medallion_maintenance"}
# The manifest the build writes (TableManifestTest keeps it equal to the Java declarations), read
# here directly rather than through the DAGs' own catalog module.
MANIFEST = json.loads((DAGS / "medallion_dags" / "tables.json").read_text())["tables"]


def sql_names(layer=None):
    return [table["sql_name"] for table in MANIFEST if layer in (None, table["layer"])]


@pytest.fixture(scope="module")
def dagbag():
    return DagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


def test_pipeline_runs_bronze_silver_gold_in_order_hourly_one_run_at_a_time_then_checks_status(monkeypatch):
    monkeypatch.setenv("MEDALLION_PIPELINE_ONE_JVM", "0")
    dag = DagBag(dag_folder=str(DAGS), bundle_path=DAGS).dags["medallion_pipeline"]
    assert dag.schedule == "@hourly" or str(dag.timetable.summary) == "@hourly"
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.dagrun_timeout == timedelta(hours=2)
    assert set(dag.task_ids) == {"bronze", "silver", "gold", "status"}
    assert dag.get_task("bronze").downstream_task_ids == {"silver"}
    assert dag.get_task("silver").downstream_task_ids == {"gold"}
    assert dag.get_task("gold").downstream_task_ids == {"status"}
    assert dag.get_task("status").retries == 0  # a check: a broken threshold fails the run
    assert "status.max.age.minutes={{ var.value.get('medallion_status_max_age_minutes', '180') }}" in (
        dag.get_task("status").application_args
    )
    for task in dag.tasks:
        if task.task_id != "status":
            assert task.retries == 3
            assert task.retry_exponential_backoff
        assert task.trigger_rule == "all_success"
        assert task.on_failure_callback
        assert task.application_args[0] == task.task_id
        assert "--quiet" in task.application_args  # the task log keeps the summary line
        assert task._java_class == "dev.medallion.launcher.Main"
    assert (
        "kafka.bootstrap.servers={{ var.value.medallion_kafka_bootstrap_servers }}"
        in dag.get_task("bronze").application_args
    )
    assert [a.name for a in dag.get_task("gold").outlets] == [f"medallion.{name}" for name in sql_names("gold")]


def test_pipeline_by_default_is_one_task_writing_every_layers_assets_then_status(dagbag):
    dag = dagbag.dags["medallion_pipeline"]
    assert set(dag.task_ids) == {"pipeline", "status"}
    task = dag.get_task("pipeline")
    assert task.downstream_task_ids == {"status"}
    assert task.application_args[0] == "pipeline"
    assert "--quiet" in task.application_args
    assert "kafka.bootstrap.servers={{ var.value.medallion_kafka_bootstrap_servers }}" in task.application_args
    assert task.retries == 3
    layers = ("bronze", "silver", "gold")
    assert [a.name for a in task.outlets] == [f"medallion.{n}" for layer in layers for n in sql_names(layer)]


def test_rerun_is_manual_with_typed_params_and_validates_first(dagbag):
    dag = dagbag.dags["medallion_rerun"]
    assert dag.schedule is None or dag.timetable.summary == "None"
    assert dag.max_active_runs == 1
    assert set(dag.params.keys()) == {
        "layers",
        "full_refresh",
        "gold_table",
        "gold_from",
        "gold_to",
        "replay_quarantine",
    }
    assert dag.params["layers"] == ["gold"]
    assert dag.get_task("plan").upstream_task_ids == set()
    order = [
        "plan",
        "run_bronze",
        "bronze",
        "run_silver",
        "silver",
        "run_quarantine_replay",
        "quarantine_replay",
        "run_gold",
        "gold",
    ]
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    for task_id in order[1:]:
        assert dag.get_task(task_id).trigger_rule == "none_failed"
        assert dag.get_task(task_id).retries == 0


def test_maintenance_is_daily_one_table_after_another(dagbag):
    dag = dagbag.dags["medallion_maintenance"]
    assert dag.max_active_runs == 1
    assert sorted(dag.task_ids) == sorted("maintain_" + name.replace(".", "_") for name in sql_names())
    assert sql_names("gold"), "tables.json lists no gold table"
    for task in dag.tasks:
        assert task.application_args[0] == "maintain"
        assert "--quiet" in task.application_args
        assert task.retries == 2
        assert task.trigger_rule == "all_done"
    # one table after the other: the tables of a layer share its run lock
    assert all(len(task.downstream_list) <= 1 for task in dag.tasks)
    assert sum(1 for task in dag.tasks if not task.upstream_list) == 1
