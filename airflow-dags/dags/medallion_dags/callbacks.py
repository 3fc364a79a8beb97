"""Failure callback: the hook an operator wires to paging or chat.

It logs one line naming the DAG, task, run and try. To alert elsewhere, point the environment
variable `MEDALLION_ALERT_COMMAND` at a command; it is run with those four values as arguments.
"""

import logging
import os
import shlex
import subprocess

log = logging.getLogger(__name__)

ALERT_TIMEOUT_SECONDS = 30


def on_failure(context):
    ti = context["ti"]
    fields = [ti.dag_id, ti.task_id, str(context.get("run_id")), str(ti.try_number)]
    log.error("medallion task failed: dag=%s task=%s run=%s try=%s", *fields)
    command = os.environ.get("MEDALLION_ALERT_COMMAND")
    if command:
        subprocess.run([*shlex.split(command), *fields], check=False, timeout=ALERT_TIMEOUT_SECONDS)
