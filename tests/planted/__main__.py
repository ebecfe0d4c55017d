"""`python -m tests.planted`: serve one variant, list them, or run the whole suite against all.

python -m tests.planted list
python -m tests.planted serve keys-ignored --port 8181      # `reference` for no bug
python -m tests.planted table                               # writes RESULTS.md
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from tests.planted._serve import served
from tests.planted._table import RESULTS, Row, render, run_table
from tests.planted._variants import VARIANTS, ZUORA_ALTERNATIVES, variant_named

__all__ = ["main"]

TABLE_SEED = 20261127  # the table's runs are repeatable: the same seed, the same requests
REFERENCE = "reference"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.planted", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the variants")
    serve = commands.add_parser("serve", help="serve one variant until interrupted")
    serve.add_argument("name", help=f"a variant name, or {REFERENCE!r} for the reference server")
    serve.add_argument("--port", type=int, default=8181)
    serve.add_argument("--store", choices=["memory", "sqlite"], default="memory")
    table = commands.add_parser("table", help="run the whole suite against every variant")
    table.add_argument("--seed", type=int, default=TABLE_SEED)
    table.add_argument("--only", nargs="*", default=[], help="variant names (default: all)")
    table.add_argument("--output", type=Path, default=RESULTS)
    return parser


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(name: str, port: int, store: str) -> int:
    variant = None if name == REFERENCE else variant_named(name)
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    signal.signal(signal.SIGTERM, _stop)
    with served(variant, store=store, port=port) as url:
        print(f"serving {name} on {url} ({store} store); Ctrl-C stops", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def _table(seed: int, names: Sequence[str], output: Path) -> int:
    # The variants' deliberate 500s and hangs would fill the terminal with tracebacks.
    for noisy in ("refserver", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL + 1)
    variants = [variant_named(name) for name in names] if names else list(VARIANTS)
    command = "python -m tests.planted table" + (f" --seed {seed}" if seed != TABLE_SEED else "")
    reference_runs = 2  # the reference server under each profile
    planned = reference_runs + len(variants)
    planned += sum(variant.name in ZUORA_ALTERNATIVES for variant in variants)

    def write(rows: list[Row]) -> None:
        text = render(rows, seed=seed, command=command, planned=planned)
        output.write_text(text, encoding="utf-8")

    rows = run_table(
        variants,
        seed=seed,
        progress=lambda line: print(line, flush=True),
        alternatives=ZUORA_ALTERNATIVES,
        on_row=write,
    )
    print(f"wrote {output}")
    missed = [row.name for row in rows if not row.caught]
    return 1 if missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command the arguments name; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "list":
        for variant in VARIANTS:
            print(f"{variant.name:<32} {variant.part:<14} {variant.bug}")
        return 0
    if args.command == "serve":
        return _serve(args.name, args.port, args.store)
    return _table(args.seed, args.only, args.output)


if __name__ == "__main__":
    sys.exit(main())
