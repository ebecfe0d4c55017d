"""What every benchmark's command line shares: --quick, --output, and printing the report."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["base_parser", "command_line", "emit", "int_list"]


def int_list(text: str) -> tuple[int, ...]:
    """`1,8,32` -> (1, 8, 32)."""
    values = tuple(int(part) for part in text.split(",") if part.strip())
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, not {text!r}")
    return values


def base_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser with the options every benchmark takes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--quick", action="store_true", help="a run of seconds, for smoke tests")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    return parser


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """The command that reproduces this run, for the report."""
    args = list(sys.argv[1:] if argv is None else argv)
    return shlex.join(["python", "-m", module, *args])


def emit(report: str, output: Path | None) -> None:
    """Print the report and write it to `output` when given."""
    print(report, end="", flush=True)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report, encoding="utf-8")
