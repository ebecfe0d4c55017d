"""`python -m bench`: every benchmark in turn, their tables gathered into `bench/results.md`.

Each benchmark runs in its own process with a time limit, so one that fails or hangs is
reported in the results and the others still run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench._cli import command_line
from bench._machine import describe_machine

__all__ = ["BENCHMARKS", "main"]

BENCHMARKS = ("load", "scale", "multiproc", "suite", "stack")
RESULTS = Path(__file__).resolve().parent / "results.md"
_LIMIT_FULL = 3 * 3600.0  # seconds per benchmark: the full load benchmark takes ~20 min here
_LIMIT_QUICK = 600.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every benchmark's quick mode")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown file to write")
    return parser


def _run(name: str, quick: bool, folder: Path) -> str:
    """One benchmark's Markdown section, or a note saying how it failed."""
    output = folder / f"{name}.md"
    argv = [sys.executable, "-m", f"bench.{name}", "--output", str(output)]
    if quick:
        argv.append("--quick")
    limit = _LIMIT_QUICK if quick else _LIMIT_FULL
    try:
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return f"## {name}\n\nStopped after {limit:.0f} s without a result.\n"
    if done.returncode != 0 or not output.exists():
        return f"## {name}\n\nFailed with exit code {done.returncode}; see its output above.\n"
    return output.read_text(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and write the results file; 1 if any of them failed."""
    args = _parser().parse_args(argv)
    names = [name for name in BENCHMARKS if name in args.only.split(",")]
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        "# Benchmark results\n",
        f"`{command_line('bench', argv)}`, started {started}.\n",
        f"Machine: {describe_machine()}. Client and servers share this machine; every "
        "comparison is between runs of the same invocation.\n",
    ]
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for name in names:
            print(f"== bench.{name}", file=sys.stderr, flush=True)
            sections.append(_run(name, args.quick, Path(tmp)))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    footer = f"Load average at the end: {load} (1/5/15 min).\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join([*header, *sections, footer]), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return (
        1 if any("\nFailed with exit code" in s or "\nStopped after" in s for s in sections) else 0
    )


if __name__ == "__main__":
    sys.exit(main())
