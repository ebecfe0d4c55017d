"""What every benchmark's command line shares: --quick, --output, and printing the report."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from bench._machine import code_version

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
    """The command that reproduces this run, for the report (where the report goes is left out)."""
    given = list(sys.argv[1:] if argv is None else argv)
    args: list[str] = []
    skip = False
    for arg in given:
        if skip:
            skip = False
        elif arg == "--output":
            skip = True
        elif not arg.startswith("--output="):
            args.append(arg)
    return shlex.join(["python", "-m", module, *args])


def emit(report: str, output: Path | None) -> None:
    """Print the report, stamped with the server's code version, and write it to `output`."""
    heading, _, rest = report.partition("\n")
    report = f"{heading}\n\nMeasured on {code_version()}.\n{rest}"
    print(report, end="", flush=True)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report, encoding="utf-8")
