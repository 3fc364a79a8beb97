"""
### medallion_maintenance

Nightly table maintenance, one task per table: `OPTIMIZE` (compacting small files, Z-ordered
by the columns each table declares) then `VACUUM`. The VACUUM retention is the Airflow Variable
`medallion_vacuum_retention_hours` (default 168, Delta's safe minimum; the job refuses less).
Maintenance writes to the tables, so each task holds the run lock of the layer that owns the
table: while that layer runs, the task fails at once and Airflow retries it later. The tables
are maintained one after the other, since the tables of a layer share its lock.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import TriggerRule, chain, dag

from medallion_dags.assets import MAINTAINED_TABLES
from medallion_dags.callbacks import on_failure
from medallion_dags.jobs import LAKEHOUSE_ROOT, QUIET, submit

RETENTION = "--retention-hours={{ var.value.get('medallion_vacuum_retention_hours', '168') }}"


@dag(
    dag_id="medallion_maintenance",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=4),
    render_template_as_native_obj=True,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "on_failure_callback": on_failure,
    },
    tags=["medallion"],
    doc_md=__doc__,
)
def medallion_maintenance():
    # One table after the other: tables of one layer share its lock. A failed table does not
    # stop the next one (all_done), and still fails the run.
    tasks = [
        submit(
            "maintain_" + table.replace(".", "_"),
            ["maintain", f"--table={table}", RETENTION, QUIET, "--set", LAKEHOUSE_ROOT],
            trigger_rule=TriggerRule.ALL_DONE,
        )
        for table in MAINTAINED_TABLES
    ]
    chain(*tasks)


medallion_maintenance()
