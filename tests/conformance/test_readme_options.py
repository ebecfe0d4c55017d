"""conformance/README.md's option table shows the defaults `conformance/options.py` defines."""

from __future__ import annotations

import re
from pathlib import Path

from conformance.options import (
    DEFAULT_HYPOTHESIS_PROFILE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_REPORT_DIR,
    DEFAULT_TIMEOUT,
    DEFAULT_TOKEN,
    DEFAULT_TOKEN2,
    DEFAULT_WORKERS,
    SuiteOptions,
)

README = Path(__file__).resolve().parents[2] / "conformance" / "README.md"
DEFAULTS = {
    "--token": DEFAULT_TOKEN,
    "--token2": DEFAULT_TOKEN2,
    "--max-examples": str(DEFAULT_MAX_EXAMPLES),
    "--workers": str(DEFAULT_WORKERS),
    "--profile": SuiteOptions().profile.value,
    "--hypothesis-profile": DEFAULT_HYPOTHESIS_PROFILE,
    "--report-dir": str(DEFAULT_REPORT_DIR),
    "--timeout": f"{DEFAULT_TIMEOUT:g}",
    "--replay-after": f"{SuiteOptions().replay_after:g}",
}


def _default_cells() -> dict[str, str]:
    """Each option of the table (its first spelling) and the text of its default column."""
    cells: dict[str, str] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `--"):
            columns = [column.strip() for column in line.strip("|").split("|")]
            option = columns[0].strip("`").split()[0].rstrip("`,")
            cells[option] = columns[2].replace("`", "")
    return cells


def test_each_default_the_readme_shows_is_the_one_the_suite_applies() -> None:
    cells = _default_cells()
    for option, value in DEFAULTS.items():
        shown = cells[option]
        # A whole word: dev-token must not be found inside dev-token-2.
        assert re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", shown), (option, shown)
