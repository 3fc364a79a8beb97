"""
### medallion_rerun

Manual reruns for an operator: after a bad deploy, a reference-data fix or a definition change.
Trigger it with parameters:

* `layers`: which of bronze, silver, gold to run (in that order);
* `full_refresh`: rebuild gold from all of silver (`gold_table` limits it to one table);
* `gold_from` / `gold_to`: recompute a date range of gold (`gold_to` exclusive);
* `replay_quarantine`: run quarantined records through validation again (after silver).

The parameters are checked first; a bad combination fails the run before any job starts.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Param, Variable, dag, task
from airflow.sdk.exceptions import AirflowFailException

from medallion_dags.callbacks import on_failure
from medallion_dags.jobs import QUIET, submit
from medallion_dags.rerun_plan import GOLD_TABLES, LAYERS, RerunRequestError, plan_rerun

STEPS = ("bronze", "silver", "quarantine_replay", "gold")
COMMANDS = {"bronze": "bronze", "silver": "silver", "quarantine_replay": "quarantine", "gold": "gold"}


@dag(
    dag_id="medallion_rerun",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    render_template_as_native_obj=True,
    default_args={"retries": 0, "on_failure_callback": on_failure},
    params={
        "layers": Param(["gold"], type="array", items={"type": "string", "enum": list(LAYERS)}),
        "full_refresh": Param(False, type="boolean"),
        "gold_table": Param(None, type=["null", "string"], enum=[None, *GOLD_TABLES]),
        "gold_from": Param(None, type=["null", "string"], format="date"),
        "gold_to": Param(None, type=["null", "string"], format="date"),
        "replay_quarantine": Param(False, type="boolean"),
    },
    tags=["medallion"],
    doc_md=__doc__,
)
def medallion_rerun():
    @task(multiple_outputs=True)
    def plan(params=None):
        try:
            steps = plan_rerun(params)
        except RerunRequestError as error:
            raise AirflowFailException(f"invalid rerun request: {error}") from None
        root = "lakehouse.root=" + Variable.get("medallion_lakehouse_root")
        kafka = "kafka.bootstrap.servers=" + Variable.get("medallion_kafka_bootstrap_servers", default="")
        args = {}
        for step, options in steps.items():
            if options is not None:
                shared = ["--set", root] + (["--set", kafka] if step == "bronze" else [])
                args[step] = [COMMANDS[step], *options, QUIET, *shared]
            else:
                args[step] = None
        return args

    planned = plan()
    previous = planned
    for step in STEPS:

        @task.short_circuit(task_id=f"run_{step}", trigger_rule="none_failed", ignore_downstream_trigger_rules=False)
        def should_run(step_args):
            return step_args is not None

        gate = should_run(planned[step])
        job = submit(step, planned[step], trigger_rule="none_failed")
        previous >> gate >> job
        previous = job


medallion_rerun()
