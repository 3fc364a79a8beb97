"""The lakehouse's tables and the run ledger's columns, from the manifest beside this file.

The build declares every table and the ledger's columns once (in Java) and `bin/medallion tables
--json` prints this manifest; the Java test `TableManifestTest` fails when the committed copy
differs, so Python never spells a table's or a ledger column's name. Reading a small file that
ships with the DAGs is all the import does.
"""

import json
from pathlib import Path

LAYERS = ("bronze", "silver", "gold")
MANIFEST = json.loads(Path(__file__).with_name("tables.json").read_text(encoding="utf-8"))
TABLES = MANIFEST["tables"]
# The run ledger's location under the root and its columns, by the name of their Java constant.
LEDGER = MANIFEST["ledger"]


def sql_names(layer=None):
    """SQL names (`gold.hourly_revenue`) of every table, or of one layer's, in manifest order."""
    return [table["sql_name"] for table in TABLES if layer is None or table["layer"] == layer]


def names(layer):
    """Names of one layer's tables within the layer (`hourly_revenue`)."""
    return [table["name"] for table in TABLES if table["layer"] == layer]
