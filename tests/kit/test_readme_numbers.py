"""Numbers the README states that the code can produce: the check count and its family table."""

from __future__ import annotations

import re
from collections import Counter

from conformance.registry import CHECKS
from tests._server_process import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

# The README's families, by the first word of their row, and the registry areas each covers.
FAMILIES = {
    "schema": {"schema"},
    "idempotency": {"idempotency"},
    "headers": {"headers"},
    "gzip": {"gzip"},
    "auth": {"auth", "errors"},
    "transport": {"transport"},
}


def _section() -> str:
    return README.split("## What the suite checks", 1)[1].split("\n## ", 1)[0]


def _table() -> dict[str, int]:
    """The family table's rows: family (first word) -> the number in its `checks` column."""
    rows: dict[str, int] = {}
    for line in _section().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (count := re.match(r"(\d+)\b", cells[1])):
            rows[cells[0].split()[0]] = int(count.group(1))
    return rows


def test_the_stated_count_is_the_registrys() -> None:
    stated = re.search(r"^(\d+) checks, each", _section(), re.MULTILINE)
    assert stated is not None, "the section no longer states its count"
    assert int(stated.group(1)) == len(CHECKS)


def test_the_family_table_adds_up_to_the_registry() -> None:
    table = _table()
    assert set(table) == set(FAMILIES)
    assert sum(table.values()) == len(CHECKS)


def test_each_family_row_counts_its_areas() -> None:
    areas = Counter(info.area for info in CHECKS.values())
    covered = set().union(*FAMILIES.values())
    assert covered == set(areas), "a registry area has no row in the README's table"
    table = _table()
    assert {family: sum(areas[a] for a in FAMILIES[family]) for family in FAMILIES} == table
