"""One demo lakehouse for every BI test: the readers' and the SQL endpoint's."""

import pytest
from medallion_cli import medallion, settings


@pytest.fixture(scope="session")
def lakehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("bi") / "lakehouse"
    # The README's first command: a newcomer reads its log, so it warns of nothing.
    medallion("demo", "--events", "3000", *settings(root), quiet_log=True)
    return root
