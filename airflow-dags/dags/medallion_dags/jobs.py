"""How a DAG task launches a medallion job: spark-submit of the cluster job jar.

Everything environment-specific comes from Airflow itself, never from literals in DAG code:

* the Spark connection (`spark_default`, or the id in the environment variable
  `MEDALLION_SPARK_CONN_ID`) says where jobs run: local mode, standalone, YARN or Kubernetes;
* Airflow Variables (or `AIRFLOW_VAR_*` environment variables): `medallion_jar` (the cluster
  job jar), `medallion_lakehouse_root`, `medallion_kafka_bootstrap_servers`, and optional
  `medallion_spark_conf` (a JSON object of extra Spark settings);
* secrets never appear on the command line: Kafka SASL settings and S3 keys reach the job as
  environment variables taken from the Airflow connection `medallion_secrets` when it exists
  (its extra JSON maps `MEDALLION_*` variable names to values; the job masks them in logs).

DAGs using these operators render templates as native objects, so the JSON Variables and the
connection extra become dicts.
"""

import os

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MAIN_CLASS = "dev.medallion.launcher.Main"
SPARK_CONN_ID = os.environ.get("MEDALLION_SPARK_CONN_ID", "spark_default")

JAR = "{{ var.value.medallion_jar }}"
LAKEHOUSE_ROOT = "lakehouse.root={{ var.value.medallion_lakehouse_root }}"
KAFKA_SERVERS = "kafka.bootstrap.servers={{ var.value.medallion_kafka_bootstrap_servers }}"
SPARK_CONF = "{{ var.json.get('medallion_spark_conf', {}) }}"
# Secrets from the optional `medallion_secrets` connection: its extra JSON maps MEDALLION_*
# environment variable names (e.g. MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG) to values.
SECRET_ENV = "{{ conn.get('medallion_secrets').extra_dejson if conn.get('medallion_secrets') else {} }}"


def layer_args(command, *options):
    """The command line of one job: the command, its options, and the shared settings."""
    args = [command, *options, "--set", LAKEHOUSE_ROOT]
    if command == "bronze":
        args += ["--set", KAFKA_SERVERS]
    return args


def submit(task_id, application_args, **kwargs):
    """A SparkSubmitOperator running one medallion command from the cluster job jar."""
    return SparkSubmitOperator(
        task_id=task_id,
        application=JAR,
        java_class=MAIN_CLASS,
        conn_id=SPARK_CONN_ID,
        name=f"medallion-{task_id}",
        application_args=application_args,
        conf=SPARK_CONF,
        env_vars=SECRET_ENV,
        **kwargs,
    )
