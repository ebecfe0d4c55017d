"""`make help` lists every target the Makefile declares, multi-target rules (bench-*) included."""

from __future__ import annotations

import re
import subprocess

from tests._server_process import ROOT


def test_make_help_lists_every_phony_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert phony is not None
    declared = set(phony.group(1).replace("\\\n", " ").split())
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert declared - listed == set()
    assert {"bench-load", "bench-scale", "bench-multiproc", "bench-suite", "bench-stack"} <= listed
    assert "lock" in listed
