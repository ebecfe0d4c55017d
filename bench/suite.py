"""How fast the conformance suite judges a server, next to a plain Schemathesis run.

Both tools test the same reference server in the same run, one after the other, repeated.
The common unit is an HTTP request the server answered, counted from the server's access log;
each tool's own count (Schemathesis's generated test cases, the suite's check verdicts) is
shown beside it. `python -m bench.suite` for the README's table, `--quick` for a short run.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._cli import base_parser, command_line, emit
from bench._peers import start_refserver
from bench._procs import Service, group_cpu_seconds
from bench._requests import ROOT, SPEC
from bench._table import fmt, markdown, median

__all__ = ["main"]

_BIN = Path(sys.executable).parent
_TOOL_TIMEOUT = 1800.0  # seconds; a hung tool must not hang the benchmark
_REQUEST_LINE = re.compile(r'"[A-Z]+ [^ ]+ HTTP/1\.[01]" \d{3}')  # uvicorn's access log
_SCHEMATHESIS_CASES = re.compile(r"(\d+) generated")
_SUITE_ROW = re.compile(r"^\S+\s+.+?\s+(?:schemathesis|response|raw|property)\s+(\d+)\s+\d+\s+\d+")


@dataclass(frozen=True, slots=True)
class Run:
    """One tool run: its wall time, the requests the server saw, the tool's own count, CPU."""

    seconds: float
    requests: int
    own_count: int
    exit_code: int
    tool_cpu: float  # share of one core
    server_cpu: float


def _parser() -> argparse.ArgumentParser:
    parser = base_parser("python -m bench.suite", "Suite speed: conformance vs Schemathesis.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-examples", type=int, default=100, help="given to both tools")
    parser.add_argument("--workers", type=int, default=2, help="given to both tools")
    return parser


def _commands(
    url: str, examples: int, workers: int, reports: str, *, quick: bool
) -> dict[str, list[str]]:
    """Each tool's command line (run from the repository root), default phases unless `quick`."""
    suite_phases = ["--phases", "properties"] if quick else []
    plain_phases = ["--phases", "examples,fuzzing"] if quick else []
    return {
        "conformance suite": [
            "python", "-m", "conformance", "--target", url,
            "--max-examples", str(examples), "--workers", str(workers),
            "--report-dir", f"{reports}/conformance", *suite_phases,
        ],
        "plain schemathesis": [
            "schemathesis", "run", str(SPEC.relative_to(ROOT)), "--url", url,
            "-H", "Authorization: Bearer dev-token", "--max-examples", str(examples),
            "--workers", str(workers), "--continue-on-failure",
            "--report-dir", f"{reports}/schemathesis", *plain_phases,
        ],
    }  # fmt: skip


def _requests_logged(log: Path) -> int:
    return sum(
        1 for line in log.read_text(errors="replace").splitlines() if _REQUEST_LINE.search(line)
    )


def _own_count(tool: str, output: str) -> int:
    if tool == "plain schemathesis":
        found = _SCHEMATHESIS_CASES.findall(output)
        return int(found[-1]) if found else 0
    return sum(int(m.group(1)) for line in output.splitlines() if (m := _SUITE_ROW.match(line)))


def _run(tool: str, argv: list[str], server: Service) -> Run:
    before_log, before_cpu = _requests_logged(server.log), group_cpu_seconds(server.pgid)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    executable = [str(_BIN / argv[0]), *argv[1:]]  # this environment's python and schemathesis
    done = subprocess.run(
        executable, cwd=ROOT, capture_output=True, text=True, timeout=_TOOL_TIMEOUT, check=False
    )
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tool_cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    time.sleep(0.5)  # the last access-log lines reach the file
    return Run(
        seconds=elapsed,
        requests=_requests_logged(server.log) - before_log,
        own_count=_own_count(tool, done.stdout),
        exit_code=done.returncode,
        tool_cpu=tool_cpu / elapsed,
        server_cpu=(group_cpu_seconds(server.pgid) - before_cpu) / elapsed,
    )


def _render(runs: dict[str, list[Run]], commands: dict[str, list[str]], command: str) -> str:
    rows = []
    for tool, measured in runs.items():
        rate = median(r.requests / r.seconds for r in measured)
        rows.append(
            [
                tool,
                fmt(median(r.seconds for r in measured), 1, " s"),
                fmt(median(r.requests for r in measured)),
                fmt(rate, 1),
                fmt(median(r.own_count for r in measured)),
                fmt(median(r.own_count / r.seconds for r in measured), 1),
                fmt(median(r.tool_cpu * 100 for r in measured), 0, " %"),
                fmt(median(r.server_cpu * 100 for r in measured), 0, " %"),
                ", ".join(str(r.exit_code) for r in measured),
            ]
        )
    headers = [
        "tool",
        "wall time",
        "requests answered",
        "requests/s",
        "own count",
        "own count/s",
        "tool CPU",
        "server CPU",
        "exit codes",
    ]
    shown = "\n".join(f"- {tool}: `{shlex.join(argv)}`" for tool, argv in commands.items())
    return "\n".join(
        [
            "## Suite speed: the conformance suite vs a plain Schemathesis run\n",
            f"`{command}`: the tools alternate on one reference server (memory store); medians "
            "over rounds. Own count: Schemathesis's generated test cases; the suite's check "
            "verdicts (one request is judged by many checks). CPU in % of one core.\n",
            markdown(headers, rows),
            "\nThe tools' command lines, from the repository root (URL: the server's address):\n",
            shown,
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the Markdown report, return 0."""
    args = _parser().parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    examples = 3 if args.quick else args.max_examples
    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        server = stack.enter_context(
            start_refserver("suite-target", "memory://", None, work, access_log=True)
        )
        commands = _commands(server.url, examples, args.workers, str(work), quick=args.quick)
        shown = _commands("URL", examples, args.workers, "REPORTS", quick=args.quick)
        for round_index in range(rounds):
            order = list(commands)[:: 1 if round_index % 2 == 0 else -1]
            for tool in order:
                measured = _run(tool, commands[tool], server)
                runs.setdefault(tool, []).append(measured)
                print(f"{tool}: {measured}", file=sys.stderr, flush=True)
    emit(_render(runs, shown, command_line("bench.suite", argv)), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
