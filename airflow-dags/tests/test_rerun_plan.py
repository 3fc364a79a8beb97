"""A bad rerun request fails before anything launches, with a message saying what to fix."""

import pytest

from medallion_dags.rerun_plan import RerunRequestError, plan_rerun


def test_gold_backfill_of_one_table():
    plan = plan_rerun(
        {"layers": ["gold"], "gold_from": "2026-01-01", "gold_to": "2026-01-08", "gold_table": "daily_funnel"}
    )
    assert plan == {
        "bronze": None,
        "silver": None,
        "quarantine_replay": None,
        "gold": ["--from=2026-01-01", "--to=2026-01-08", "--table=daily_funnel"],
    }


def test_all_layers_with_replay():
    plan = plan_rerun({"layers": ["bronze", "silver", "gold"], "replay_quarantine": True, "full_refresh": True})
    assert plan == {"bronze": [], "silver": [], "quarantine_replay": ["--replay"], "gold": ["--full-refresh"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"layers": []}, "nothing to do"),
        ({"layers": ["platinum"]}, "unknown layer(s) ['platinum']"),
        ({"layers": ["silver"], "full_refresh": True}, "add 'gold' to layers"),
        ({"layers": ["gold"], "gold_table": "weekly", "full_refresh": True}, "unknown gold_table 'weekly'"),
        ({"layers": ["gold"], "gold_from": "2026-01-01"}, "needs both gold_from and gold_to"),
        ({"layers": ["gold"], "gold_from": "2026-01-08", "gold_to": "2026-01-01"}, "must be before gold_to"),
        ({"layers": ["gold"], "gold_from": "yesterday", "gold_to": "2026-01-01"}, "gold_from must be a date"),
        (
            {"layers": ["gold"], "gold_from": "2026-01-01", "gold_to": "2026-01-02", "full_refresh": True},
            "either full_refresh or",
        ),
        ({"layers": ["gold"], "gold_table": "daily_funnel"}, "gold_table needs full_refresh"),
    ],
)
def test_bad_requests_fail_with_a_clear_message(params, message):
    with pytest.raises(RerunRequestError, match=None) as error:
        plan_rerun(params)
    assert message in str(error.value)
