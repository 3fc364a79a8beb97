"""How a DAG task launches a medallion job: spark-submit of the cluster job jar.

Everything environment-specific comes from Airflow itself, never from literals in DAG code:

* the Spark connection (`spark_default`, or the id in the environment variable
  `MEDALLION_SPARK_CONN_ID`) says where jobs run: local mode, standalone, YARN or Kubernetes;
* Airflow Variables (or `AIRFLOW_VAR_*` environment variables): `medallion_jar` (the cluster
  job jar), `medallion_lakehouse_root`, `medallion_kafka_bootstrap_servers`, and optional
  `medallion_spark_conf` (a JSON object of extra Spark settings);
* secrets never appear on a command line, in a rendered template or in a log: Kafka SASL
  settings and S3 keys are read when the task runs from the Airflow connection
  `medallion_secrets` when it exists (its extra JSON maps `MEDALLION_*` variable names to
  values), masked in Airflow's logs, and inherited by spark-submit as environment variables.
  A driver on YARN or Kubernetes in cluster deploy mode cannot inherit them: give it its secrets
  from the cluster (e.g. `spark.kubernetes.driver.secretKeyRef.MEDALLION_...` in
  `medallion_spark_conf`); the task refuses to start otherwise.

DAGs using these operators render templates as native objects, so the JSON Variables and the
connection extra become dicts.
"""

import logging
import os
from datetime import datetime, timezone

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowException, AirflowNotFoundException
from airflow.sdk.log import mask_secret

from medallion_dags import ledger
from medallion_dags.assets import ASSET_PREFIX

log = logging.getLogger(__name__)

MAIN_CLASS = "dev.medallion.launcher.Main"
SPARK_CONN_ID = os.environ.get("MEDALLION_SPARK_CONN_ID", "spark_default")

JAR = "{{ var.value.medallion_jar }}"
QUIET = "--quiet"
LAKEHOUSE_ROOT = "lakehouse.root={{ var.value.medallion_lakehouse_root }}"
KAFKA_SERVERS = "kafka.bootstrap.servers={{ var.value.medallion_kafka_bootstrap_servers }}"
SPARK_CONF = "{{ var.json.get('medallion_spark_conf', {}) }}"
# The optional connection whose extra JSON maps MEDALLION_* environment variable names (e.g.
# MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG) to secret values.
SECRETS_CONN_ID = "medallion_secrets"


def secret_environment():
    """The secrets of the `medallion_secrets` connection, each value masked in Airflow's logs."""
    try:
        extra = BaseHook.get_connection(SECRETS_CONN_ID).extra_dejson
    except AirflowNotFoundException:
        return {}
    secrets = {str(name): str(value) for name, value in extra.items()}
    for name, value in secrets.items():
        mask_secret(value, name)
    return secrets


class MedallionSubmitOperator(SparkSubmitOperator):
    """spark-submit of one medallion command, whose secrets travel only in its environment.

    SparkSubmitOperator's own `env_vars` is a rendered template field (shown in the UI) and, on
    YARN and Kubernetes, becomes `--conf` arguments on spark-submit's command line; here the
    secrets are read when the task runs, masked, and inherited by the spark-submit process.
    """

    def execute(self, context):
        secrets = secret_environment()
        if secrets and self._deploy_mode_of_connection() == "cluster":
            raise AirflowException(
                f"Cannot pass the {SECRETS_CONN_ID} secrets to a driver in cluster deploy mode "
                "without putting them on spark-submit's command line; give the driver its secrets "
                "from the cluster (see medallion_dags/jobs.py) and delete that connection"
            )
        os.environ.update(secrets)
        started = datetime.now(timezone.utc)
        result = super().execute(context)
        self._publish_versions(context, started)
        return result

    def _publish_versions(self, context, started):
        """Puts the Delta versions the run wrote (from the run ledger) in its Asset events' extra."""
        layers = ledger.LAYERS_OF_COMMAND.get(self.application_args[0], ())
        root = ledger.setting(self.application_args, "lakehouse.root")
        if not self.outlets or not layers or not root:
            return
        for layer in layers:
            try:
                run = ledger.last_run(root, layer, since=started, status="SUCCEEDED")
            except Exception as error:  # the ledger is a report: the layer did run all the same
                log.warning("medallion: cannot read the run ledger under %s: %s", root, error)
                return
            if run is None:
                log.warning("medallion: no %s run since %s in the run ledger under %s", layer, started, root)
                continue
            for asset in self.outlets:
                version = run.versions_written.get(asset.name.removeprefix(ASSET_PREFIX))
                if version is not None:
                    context["outlet_events"][asset].extra.update(
                        {"version": version, "run_id": run.run_id, "rows_out": run.rows_out}
                    )

    def _deploy_mode_of_connection(self):
        if self._deploy_mode:
            return self._deploy_mode
        return BaseHook.get_connection(self._conn_id).extra_dejson.get("deploy-mode", "client")


def layer_args(command, *options):
    """The command line of one job: the command, its options, and the shared settings.

    `--quiet`: a task log keeps warnings, errors and the summary line, not per-batch progress.
    """
    args = [command, *options, QUIET, "--set", LAKEHOUSE_ROOT]
    if command in ("bronze", "pipeline"):
        args += ["--set", KAFKA_SERVERS]
    return args


def status_args():
    """`status` with the thresholds of the `medallion_status_*` Variables (exit 3 when one is broken)."""
    thresholds = {"max.age.minutes": "180", "max.kafka.lag": "0", "max.version.lag": "0"}
    args = ["status", QUIET, "--set", LAKEHOUSE_ROOT, "--set", KAFKA_SERVERS]
    for name, default in thresholds.items():
        variable = "medallion_status_" + name.replace(".", "_")
        args += ["--set", f"status.{name}={{{{ var.value.get('{variable}', '{default}') }}}}"]
    return args


def submit(task_id, application_args, **kwargs):
    """An operator running one medallion command from the cluster job jar."""
    return MedallionSubmitOperator(
        task_id=task_id,
        application=JAR,
        java_class=MAIN_CLASS,
        conn_id=SPARK_CONN_ID,
        name=f"medallion-{task_id}",
        application_args=application_args,
        conf=SPARK_CONF,
        **kwargs,
    )
