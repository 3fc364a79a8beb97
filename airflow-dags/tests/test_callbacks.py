"""The failure callback reports the failed run's error line from a real Delta run ledger."""

import sys
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pyarrow as pa
from deltalake import write_deltalake

from medallion_dags.callbacks import ledger_error, on_failure

SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("layer", pa.string()),
        ("command", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("error", pa.string()),
        ("rows_out", pa.int64()),
        ("versions_written", pa.map_(pa.string(), pa.int64())),
    ]
)


def ledger(root, runs):
    rows = [{"command": run["layer"], "rows_out": None, "versions_written": [], "error": None, **run} for run in runs]
    write_deltalake(str(root / "_ops" / "runs"), pa.Table.from_pylist(rows, schema=SCHEMA), partition_by=["layer"])


def test_the_alert_command_gets_the_error_line_of_the_task_s_failed_run(tmp_path, monkeypatch):
    started = datetime.now(timezone.utc)
    ledger(
        tmp_path,
        [
            {
                "run_id": "old",
                "layer": "silver",
                "started_at": started - timedelta(hours=1),
                "status": "FAILED",
                "error": "an earlier failure",
            },
            {
                "run_id": "new",
                "layer": "silver",
                "started_at": started + timedelta(seconds=1),
                "status": "FAILED",
                "error": "Stopped before committing micro-batch 3 of silver.events: 7 rows break the expectation",
            },
            {
                "run_id": "gold",
                "layer": "gold",
                "started_at": started + timedelta(seconds=2),
                "status": "FAILED",
                "error": "another layer",
            },
        ],
    )
    received = tmp_path / "alert.txt"
    script = tmp_path / "alert.py"
    script.write_text(f"import sys\nopen({str(received)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n")
    monkeypatch.setenv("MEDALLION_ALERT_COMMAND", f"{sys.executable} {script}")
    context = {
        "ti": SimpleNamespace(dag_id="medallion_pipeline", task_id="silver", try_number=2, start_date=started),
        "task": SimpleNamespace(application_args=["silver", "--quiet", "--set", f"lakehouse.root={tmp_path}"]),
        "run_id": "scheduled__1",
    }

    on_failure(context)

    assert received.read_text().splitlines() == [
        "medallion_pipeline",
        "silver",
        "scheduled__1",
        "2",
        "Stopped before committing micro-batch 3 of silver.events: 7 rows break the expectation",
    ]


def test_a_task_that_failed_before_its_run_began_says_so(tmp_path):
    ledger(tmp_path, [{"run_id": "x", "layer": "bronze", "started_at": datetime.now(timezone.utc), "status": "FAILED"}])

    context = {
        "ti": SimpleNamespace(start_date=datetime.now(timezone.utc) + timedelta(minutes=1)),
        "task": SimpleNamespace(application_args=["bronze", "--set", f"lakehouse.root={tmp_path}"]),
    }
    assert ledger_error(context).startswith("(no failed run in the ledger")
    assert ledger_error({"ti": context["ti"], "task": SimpleNamespace(application_args=["maintain"])}) == (
        "(not a layer run)"
    )
