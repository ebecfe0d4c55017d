"""`python -m contract_diff`: list the contract's changes since a git ref; `--gate` for CI.

Exit status: 0 when the gate passes (or without `--gate`), 1 when it fails, 2 on a usage or
git error (an unknown ref, a contract that does not parse).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from fulfillments_contract import parse_document

from contract_diff._document import diff_documents
from contract_diff._gate import judge
from contract_diff._git import Base, GitError, choose_base, read_at, toplevel
from contract_diff._model import Change

__all__ = ["format_changes", "main"]

SPEC = "openapi/fulfillments.yaml"
CHANGELOG = "openapi/CHANGELOG.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m contract_diff",
        description="List every change to the contract since a git ref, breaking or compatible.",
    )
    parser.add_argument(
        "--base",
        default="auto",
        help="git ref of the old contract; auto (default): HEAD with uncommitted edits, "
        "otherwise the contract before its last change",
    )
    parser.add_argument("--gate", action="store_true", help="exit 1 on an unaccepted break")
    parser.add_argument("--spec", default=SPEC, help="the contract, relative to the repository")
    parser.add_argument("--changelog", default=CHANGELOG, help="its changelog, likewise")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="a folder of the repository")
    return parser


def format_changes(changes: Sequence[Change]) -> list[str]:
    """One line per change; a component change met at many places is listed once, with a count."""
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for change in changes:
        key: tuple[Any, ...] = (change.kind, change.message, change.breaks, change.defined_at)
        groups.setdefault(key if change.defined_at else (id(change),), []).append(change)
    lines = []
    for members in groups.values():
        line = members[0].line()
        if len(members) > 1:
            line += f" (and {len(members) - 1} more places that use it)"
        lines.append(line)
    return lines


def _run(args: argparse.Namespace, out: TextIO) -> int:
    root = toplevel(args.repo)
    base = choose_base(root, args.spec) if args.base == "auto" else Base(args.base, "given")
    current = (root / args.spec).read_text(encoding="utf-8")
    old_text = read_at(root, base.ref, args.spec) if base.ref else None
    if base.ref is None or old_text is None:
        why = base.why if base.ref is None else f"{args.spec} does not exist at {base.ref}"
        print(f"contract-diff: nothing to compare: {why}", file=out)
        return 0
    print(f"contract-diff: {args.spec} at {base.ref} ({base.why}) -> working copy", file=out)
    old = parse_document(old_text, f"{args.spec} at {base.ref}")
    new = parse_document(current, args.spec)
    changes = diff_documents(old, new)
    for line in format_changes(changes):
        print(line, file=out)
    breaking = sum(1 for c in changes if c.breaking)
    print(
        f"{len(changes)} change(s): {breaking} breaking, {len(changes) - breaking} compatible",
        file=out,
    )
    if not args.gate:
        return 0
    changelog = root / args.changelog
    verdict = judge(
        changes,
        (old.get("info") or {}).get("version"),
        (new.get("info") or {}).get("version"),
        read_at(root, base.ref, args.changelog),
        changelog.read_text(encoding="utf-8") if changelog.exists() else None,
        args.changelog,
    )
    print(f"gate: {'passed' if verdict.passed else 'FAILED'}: {verdict.reason}", file=out)
    return 0 if verdict.passed else 1


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _run(args, out or sys.stdout)
    except (GitError, OSError, ValueError) as error:
        print(f"contract-diff: error: {error}", file=sys.stderr)
        return 2
