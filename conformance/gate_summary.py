"""`python -m conformance.gate_summary`: the CI gate's Markdown summary and outputs, from JUnit.

`ci/conformance-gate.sh` calls it after the suite, so any CI gets the same verdict page:

| where                      | what is written                                                  |
|----------------------------|------------------------------------------------------------------|
| `--markdown FILE`          | the summary: verdict, counts, each failed check with its curl    |
| `$GITHUB_STEP_SUMMARY`     | the same Markdown, appended (GitHub shows it on the run's page)  |
| `$GITHUB_OUTPUT`           | `verdict`, `failed`, `not-exercised`, `junit`, `html`, `summary` |

It reads only `junit.xml` (a check failed when its test case holds a `<failure>`; it was not
exercised when it holds `<skipped message="not exercised: ...">`), so the summary says exactly
what the report says.
"""

from __future__ import annotations

import argparse
import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CheckFinding", "GateReport", "main", "read_junit", "render_markdown"]

VERDICTS = {0: "kept the contract", 1: "broke the contract", 2: "could not be checked"}
NOT_EXERCISED = "not exercised"
FINDINGS_SHOWN = 3  # findings listed per failed check; the JUnit and HTML reports hold them all
_CURL_MARKER = "Reproduce with:"


@dataclass(frozen=True, slots=True)
class CheckFinding:
    """One `<failure>` of a check: its title, its message and the curl lines that reproduce it."""

    check: str
    title: str
    message: str
    curl: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GateReport:
    """What `junit.xml` says: the target, the checks that failed, and the ones not exercised."""

    target: str = ""
    checks: int = 0
    findings: tuple[CheckFinding, ...] = ()
    not_exercised: tuple[tuple[str, str], ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """Names of the failed checks, each once, in report order."""
        return tuple(dict.fromkeys(finding.check for finding in self.findings))


def _finding(check: str, failure: ET.Element) -> CheckFinding:
    text = failure.text or ""
    message, _, curl = text.partition(_CURL_MARKER)
    lines = tuple(line.strip() for line in curl.splitlines() if line.strip())
    return CheckFinding(check, failure.get("message", ""), message.strip(), lines)


def read_junit(path: Path) -> GateReport:
    """The gate's view of a JUnit report written by the suite."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    target, checks = "", 0
    findings: list[CheckFinding] = []
    not_exercised: list[tuple[str, str]] = []
    errors: list[str] = []
    for suite in suites:
        target = target or suite.get("hostname", "")
        for case in suite.iter("testcase"):
            name = case.get("name", "")
            errors.extend(error.get("message", "") for error in case.iter("error"))
            if case.get("classname") == "conformance.target":
                continue  # the target's own reachability, not a check
            checks += 1
            findings.extend(_finding(name, failure) for failure in case.iter("failure"))
            for skipped in case.iter("skipped"):
                reason = skipped.get("message", "")
                if reason.startswith(NOT_EXERCISED):
                    not_exercised.append((name, reason))
    return GateReport(target, checks, tuple(findings), tuple(not_exercised), tuple(errors))


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`, so the block cannot break."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: GateReport, verdict: int, problem: str = "") -> str:
    """The summary page: the verdict first, then each failed check with its curl lines."""
    label = VERDICTS.get(verdict, "unknown")
    mark = {0: "PASSED", 1: "FAILED"}.get(verdict, "ERROR")
    target = f" `{report.target}`" if report.target else ""
    lines = [f"## Fulfillments contract gate: {mark}", ""]
    lines.append(f"The server{target} **{label}** (verdict {verdict}).")
    lines.append("")
    lines.append("| checks | failed | not exercised |")
    lines.append("|---:|---:|---:|")
    lines.append(f"| {report.checks} | {len(report.failed_checks)} | {len(report.not_exercised)} |")
    reasons = [reason for reason in (problem, *report.errors) if reason]
    if verdict == 2 and not reasons:
        reasons = ["no report was written; the suite's reason is in the job's log"]
    for reason in reasons:
        lines += ["", f"**Could not check:** {_cell(reason)}"]
    for check in report.failed_checks:
        findings = [finding for finding in report.findings if finding.check == check]
        lines += ["", f"### `{check}`"]
        for finding in findings[:FINDINGS_SHOWN]:
            lines += ["", f"- {_cell(finding.title)}"]
            if finding.message:
                fence = _fence(finding.message)
                lines += ["", f"{fence}text", finding.message, fence]
            if finding.curl:
                body = "\n".join(finding.curl)
                fence = _fence(body)
                lines += ["", f"{fence}sh", body, fence]
        if len(findings) > FINDINGS_SHOWN:
            lines += ["", f"... and {len(findings) - FINDINGS_SHOWN} more in the reports."]
    if report.not_exercised:
        lines += ["", "### Not exercised", ""]
        lines += [f"- `{name}`: {_cell(reason)}" for name, reason in report.not_exercised]
    return "\n".join(lines) + "\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the summary and the outputs; exit 0 (the verdict itself is the gate's exit code)."""
    parser = argparse.ArgumentParser(prog="python -m conformance.gate_summary")
    parser.add_argument("--junit", type=Path, required=True, help="the suite's junit.xml")
    parser.add_argument("--html", type=Path, default=None, help="the HTML report, for outputs")
    parser.add_argument("--verdict", type=int, required=True, help="the suite's exit code")
    parser.add_argument("--markdown", type=Path, required=True, help="where the summary goes")
    parser.add_argument("--problem", default="", help="why the suite did not run, if it did not")
    args = parser.parse_args(argv)
    report = read_junit(args.junit) if args.junit.is_file() else GateReport()
    text = render_markdown(report, args.verdict, args.problem)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(text, encoding="utf-8")
    _append(os.environ.get("GITHUB_STEP_SUMMARY"), text)
    outputs = {
        "verdict": str(args.verdict),
        "failed": str(len(report.failed_checks)),
        "not-exercised": str(len(report.not_exercised)),
        "junit": str(args.junit) if args.junit.is_file() else "",
        "html": str(args.html) if args.html and args.html.is_file() else "",
        "summary": str(args.markdown),
    }
    _append(os.environ.get("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
