"""Failure callback: the hook an operator wires to paging or chat.

It logs one line naming the DAG, task, run and try, and the failed run's error line from
medallion's run ledger (why it failed, in one line, without opening the task log). To alert
elsewhere, point the environment variable `MEDALLION_ALERT_COMMAND` at a command; it is run with
those five values as arguments.
"""

import logging
import os
import shlex
import subprocess

from medallion_dags import ledger

log = logging.getLogger(__name__)

ALERT_TIMEOUT_SECONDS = 30


def on_failure(context):
    ti = context["ti"]
    fields = [ti.dag_id, ti.task_id, str(context.get("run_id")), str(ti.try_number), ledger_error(context)]
    log.error("medallion task failed: dag=%s task=%s run=%s try=%s error=%s", *fields)
    command = os.environ.get("MEDALLION_ALERT_COMMAND")
    if command:
        subprocess.run([*shlex.split(command), *fields], check=False, timeout=ALERT_TIMEOUT_SECONDS)


def ledger_error(context):
    """The error line the task's failed run left in the run ledger, or a note saying why there is none."""
    args = list(getattr(context.get("task"), "application_args", None) or [])
    layers = ledger.LAYERS_OF_COMMAND.get(args[0], ()) if args else ()
    root = ledger.setting(args, "lakehouse.root")
    if not layers or not root:
        return "(not a layer run)"
    for layer in layers:  # a pipeline stops at its first failed layer
        try:
            run = ledger.last_run(root, layer, since=context["ti"].start_date, status="FAILED")
        except Exception as error:  # the callback must report the failure whatever the ledger says
            return f"(run ledger unreadable: {type(error).__name__})"
        if run is not None:
            return run.error or "(no error line)"
    return "(no failed run in the ledger: the job did not start, see the task log)"
