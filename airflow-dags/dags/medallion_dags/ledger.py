"""medallion's run ledger (`<root>/_ops/runs`, one row per run of a layer), read with delta-rs.

What a task's run wrote (the Delta versions its Asset events carry) and why it failed (the line
its failure callback reports) come from here, not from parsing Spark's logs.

S3 roots (`s3a://...`) are read with the `MEDALLION_S3_*` settings in the task's environment
(the `medallion_secrets` connection puts them there), else delta-rs' own `AWS_*` variables.
"""

import os
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone

from deltalake import DeltaTable

from medallion_dags.catalog import LEDGER

RUNS = LEDGER["path"]


@dataclass(frozen=True)
class Run:
    """What the DAGs read of a ledger row; each field is the column of the Java constant of its name."""

    run_id: str
    layer: str
    started_at: datetime
    status: str
    error: str | None
    rows_out: int | None
    versions_written: dict


COLUMN = {field.name: LEDGER["columns"][field.name.upper()]["name"] for field in fields(Run)}
# The layers whose runs a command writes to the ledger, in order (`pipeline` runs all three).
LAYERS_OF_COMMAND = {
    "bronze": ("bronze",),
    "silver": ("silver",),
    "gold": ("gold",),
    "quarantine": ("silver",),
    "pipeline": ("bronze", "silver", "gold"),
}


def setting(args, key):
    """The value of `--set key=value` in a rendered command line, or None."""
    prefix = key + "="
    return next((arg[len(prefix) :] for arg in args if isinstance(arg, str) and arg.startswith(prefix)), None)


def last_run(root, layer, since=None, status=None):
    """The newest run of `layer` that started at or after `since` (with `status`), or None."""
    table = DeltaTable(_location(root), storage_options=_storage_options(root))
    rows = table.to_pyarrow_table(filters=[(COLUMN["layer"], "=", layer)], columns=list(COLUMN.values())).to_pylist()
    since = _utc(since) if since else None
    runs = [Run(**{name: row[column] for name, column in COLUMN.items()}) for row in rows]
    runs = [
        run
        for run in runs
        if (status is None or run.status == status)
        and run.started_at is not None
        and (since is None or _utc(run.started_at) >= since)
    ]
    if not runs:
        return None
    run = max(runs, key=lambda run: _utc(run.started_at))
    return replace(run, versions_written=dict(run.versions_written or []))


def _location(root):
    path = root.rstrip("/") + "/" + RUNS
    return "s3://" + path[len("s3a://") :] if path.startswith("s3a://") else path


def _storage_options(root):
    if not root.startswith(("s3a://", "s3://")):
        return None
    names = {
        "MEDALLION_S3_ACCESS_KEY": "AWS_ACCESS_KEY_ID",
        "MEDALLION_S3_SECRET_KEY": "AWS_SECRET_ACCESS_KEY",
        "MEDALLION_S3_SESSION_TOKEN": "AWS_SESSION_TOKEN",
        "MEDALLION_S3_REGION": "AWS_REGION",
        "MEDALLION_S3_ENDPOINT": "AWS_ENDPOINT_URL",
    }
    options = {aws: os.environ[ours] for ours, aws in names.items() if os.environ.get(ours)}
    if options.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        options["AWS_ALLOW_HTTP"] = "true"
    if os.environ.get("MEDALLION_S3_PATH_STYLE_ACCESS", "").lower() == "true":
        options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] = "false"
    return options or None


def _utc(moment):
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
