"""The lakehouse's tables, from the manifest beside this file.

The build declares every table once (in Java) and `bin/medallion tables --json` prints this
manifest; the Java test `TableManifestTest` fails when the committed copy differs, so Python
never spells a table name. Reading a small file that ships with the DAGs is all the import does.
"""

import json
from pathlib import Path

LAYERS = ("bronze", "silver", "gold")
TABLES = json.loads(Path(__file__).with_name("tables.json").read_text(encoding="utf-8"))["tables"]


def sql_names(layer=None):
    """SQL names (`gold.hourly_revenue`) of every table, or of one layer's, in manifest order."""
    return [table["sql_name"] for table in TABLES if layer is None or table["layer"] == layer]


def names(layer):
    """Names of one layer's tables within the layer (`hourly_revenue`)."""
    return [table["name"] for table in TABLES if table["layer"] == layer]
