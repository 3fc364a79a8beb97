"""Secrets reach medallion's jobs only as environment variables of spark-submit, masked in
Airflow: never in a rendered template field (shown in the UI) or on a command line."""

import json

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.exceptions import AirflowException

from conftest import DAGS
from medallion_dags import jobs

SECRET = "org.apache.kafka.common.security.plain.PlainLoginModule required password='s3cr3t';"


@pytest.fixture
def secrets_connection(monkeypatch):
    extra = {"MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG": SECRET}
    monkeypatch.setenv("AIRFLOW_CONN_MEDALLION_SECRETS", json.dumps({"conn_type": "generic", "extra": extra}))


def submit_tasks():
    dagbag = DagBag(dag_folder=str(DAGS), bundle_path=DAGS)
    tasks = [task for dag in dagbag.dags.values() for task in dag.tasks]
    return [task for task in tasks if isinstance(task, jobs.MedallionSubmitOperator)]


def test_no_template_field_of_a_job_reads_a_connection():
    tasks = submit_tasks()
    assert tasks
    for task in tasks:
        assert not task.env_vars, task.task_id
        for field in task.template_fields:
            assert "conn." not in str(getattr(task, field, "")), (task.task_id, field)


def test_secrets_are_read_masked_and_given_as_environment(secrets_connection):
    assert jobs.secret_environment() == {"MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG": SECRET}


def test_a_driver_in_cluster_deploy_mode_is_refused_rather_than_given_secrets_on_its_command_line(
    secrets_connection, monkeypatch
):
    conn = {"conn_type": "spark", "host": "yarn", "extra": {"deploy-mode": "cluster"}}
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_YARN", json.dumps(conn))
    operator = jobs.MedallionSubmitOperator(
        task_id="silver", application="never-used.jar", java_class=jobs.MAIN_CLASS, conn_id="spark_yarn"
    )

    with pytest.raises(AirflowException, match="cluster deploy mode without putting them on spark-submit"):
        operator.execute({})
