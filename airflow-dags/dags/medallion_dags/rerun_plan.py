"""Checks the parameters of a manual rerun and turns them into each job's command line.

Pure functions (no Airflow), so the rules are tested directly and a bad request fails before
anything is launched.
"""

from datetime import date

from medallion_dags.catalog import LAYERS, names

GOLD_TABLES = tuple(names("gold"))


class RerunRequestError(ValueError):
    """A rerun request that must not launch anything; the message says what to fix."""


def _date(name, value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RerunRequestError(f"{name} must be a date such as 2026-01-31, got {value!r}") from None


def plan_rerun(params):
    """Returns {step: extra command-line options, or None when the step does not run}.

    Steps: bronze, silver, quarantine_replay, gold.
    """
    layers = list(params.get("layers") or [])
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown:
        raise RerunRequestError(f"unknown layer(s) {unknown}; choose from {list(LAYERS)}")
    replay = bool(params.get("replay_quarantine"))
    if not layers and not replay:
        raise RerunRequestError("nothing to do: select at least one layer or replay_quarantine")
    full_refresh = bool(params.get("full_refresh"))
    table = params.get("gold_table")
    start, end = params.get("gold_from"), params.get("gold_to")
    gold_options_given = full_refresh or table or start or end
    if gold_options_given and "gold" not in layers:
        raise RerunRequestError("full_refresh, gold_table, gold_from and gold_to apply to gold: add 'gold' to layers")
    if table is not None and table not in GOLD_TABLES:
        raise RerunRequestError(f"unknown gold_table {table!r}; choose from {list(GOLD_TABLES)}")
    if (start is None) != (end is None):
        raise RerunRequestError("a gold backfill needs both gold_from and gold_to (gold_to exclusive)")
    gold = []
    if start is not None:
        if full_refresh:
            raise RerunRequestError("use either full_refresh or gold_from/gold_to, not both")
        if _date("gold_from", start) >= _date("gold_to", end):
            raise RerunRequestError(f"gold_from ({start}) must be before gold_to ({end}); gold_to is exclusive")
        gold = [f"--from={start}", f"--to={end}"]
    elif full_refresh:
        gold = ["--full-refresh"]
    elif table is not None:
        raise RerunRequestError("gold_table needs full_refresh or gold_from/gold_to")
    if table is not None:
        gold.append(f"--table={table}")
    return {
        "bronze": [] if "bronze" in layers else None,
        "silver": [] if "silver" in layers else None,
        "quarantine_replay": ["--replay"] if replay else None,
        "gold": gold if "gold" in layers else None,
    }
