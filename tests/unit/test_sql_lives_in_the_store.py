"""Every SQL statement lives in ``labeler/store/``: a module elsewhere that holds SQL fails here.

A module outside the store calls functions of ``labeler.store`` with typed arguments and
results; that is the seam a second backend (PostgreSQL) would implement. The check looks for SQL
keywords at the start of a string and for ``execute`` / ``store.query`` calls.
"""

from __future__ import annotations

import re
from pathlib import Path

import labeler

PACKAGE = Path(labeler.__file__).resolve().parent
SQL = re.compile(
    r"""["'](?:\s*)(?:SELECT\s|INSERT\s+INTO|INSERT\s+OR|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"""
    r"""CREATE\s+(?:TABLE|INDEX|VIEW|TRIGGER|TEMP)|WITH\s+\w+\s+AS|PRAGMA\s)""",
    re.IGNORECASE,
)
CALLS = re.compile(r"\.(?:execute|executemany|executescript)\(|\bstore\.query\(")


def modules_with_sql() -> dict[str, int]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith("labeler/store/"):
            continue
        text = path.read_text(encoding="utf-8")
        hits = len(SQL.findall(text)) + len(CALLS.findall(text))
        if hits:
            found[relative] = hits
    return found


def test_no_module_outside_the_store_holds_sql() -> None:
    assert modules_with_sql() == {}, "SQL outside labeler/store/"


def test_the_check_finds_sql_where_it_is() -> None:
    store_modules = [p for p in (PACKAGE / "store").rglob("*.py") if SQL.search(p.read_text())]
    assert len(store_modules) >= 10  # the store's own modules hold the SQL the check looks for
