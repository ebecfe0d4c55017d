"""A self-contained HTML report: summary, a chart, every check and every failure with its curl.

Inline CSS and SVG only, no script and no external resource, so the file can be archived as a
CI artefact and opened anywhere.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from conformance.results import CheckReport, CheckStatus, SuiteResult

__all__ = ["render_html", "write_html"]

_COLOURS = {
    CheckStatus.PASSED: "#2e7d32",
    CheckStatus.FAILED: "#c62828",
    CheckStatus.SKIPPED: "#9e9e9e",
    CheckStatus.NOT_RUN: "#f9a825",
    CheckStatus.WAIVED: "#6a1b9a",
    CheckStatus.NOT_EXERCISED: "#ef6c00",
}
_BAR_WIDTH = 420  # pixels of the widest bar in the chart
_BAR_HEIGHT = 22

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#212121;max-width:72rem}
h1{font-size:1.5rem;margin-bottom:.2rem}.meta{color:#616161;margin-top:0}
.verdict{font-size:1.2rem;font-weight:600;padding:.5rem 1rem;border-radius:4px;display:inline-block}
.ok{background:#e8f5e9;color:#2e7d32}.ko{background:#ffebee;color:#c62828}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e0e0e0;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.tag{font-size:.8rem;padding:.05rem .4rem;border-radius:3px;background:#eceff1;white-space:nowrap}
.zuora{background:#e3f2fd}.published{background:#fff3e0}
.passed{color:#2e7d32}.failed{color:#c62828;font-weight:600}.skipped{color:#757575}.not-run{color:#f57f17}.not-exercised{color:#ef6c00}
pre{background:#263238;color:#eceff1;padding:.6rem;border-radius:4px;white-space:pre-wrap;word-break:break-all}
.failure{border-left:4px solid #c62828;padding-left:1rem;margin:1rem 0}
"""


def _chart(reports: tuple[CheckReport, ...]) -> str:
    counts = Counter(report.status for report in reports)
    most = max(counts.values(), default=1)
    bars = []
    for row, status in enumerate(CheckStatus):
        count = counts.get(status, 0)
        width = round(_BAR_WIDTH * count / most) if most else 0
        y = row * (_BAR_HEIGHT + 6)
        colour = _COLOURS[status]
        bars.append(
            f'<text x="0" y="{y + 16}">{escape(status.value)}</text>'
            f'<rect x="100" y="{y}" width="{width}" height="{_BAR_HEIGHT}" fill="{colour}"/>'
            f'<text x="{106 + width}" y="{y + 16}">{count}</text>'
        )
    height = len(CheckStatus) * (_BAR_HEIGHT + 6)
    return (
        f'<svg role="img" aria-label="checks by outcome" width="{_BAR_WIDTH + 150}" '
        f'height="{height}" font-size="13" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


def _row(report: CheckReport) -> str:
    status = report.status
    note = f"<br><small>{escape(report.note)}</small>" if report.note else ""
    if report.waiver:
        note += f"<br><small>waived: {escape(report.waiver)}</small>"
    guards = report.info.guards
    counts = "".join(
        f"<td class='n'>{n}</td>"
        for n in (report.shown, report.cases, report.passed, report.failed)
    )
    shown_status = report.why_not_exercised if status is CheckStatus.NOT_EXERCISED else status.value
    return (
        f"<tr><td><a href='#{escape(report.name)}'>{escape(report.name)}</a></td>"
        f"<td>{escape(report.info.catches)}</td>"
        f"<td><span class='tag {guards.value}'>{escape(guards.label)}</span></td>"
        f"<td>{escape(report.rule.treatment.value)}{note}</td>{counts}"
        f"<td class='{status.value.replace(' ', '-')}'>{escape(shown_status)}</td></tr>"
    )


def _failures(reports: tuple[CheckReport, ...]) -> str:
    parts = []
    for report in reports:
        for number, failure in enumerate(report.failures):
            commands = "".join(f"<pre>{escape(command)}</pre>" for command in failure.curl)
            anchor = report.name if number == 0 else f"{report.name}-{number + 1}"
            waiver = f"<p><b>Waived:</b> {escape(report.waiver)}</p>" if report.waiver else ""
            parts.append(
                f"<div class='failure' id='{escape(anchor)}'><h3>{escape(report.name)}: "
                f"{escape(failure.title)}</h3>{waiver}"
                f"<p>Guards {escape(report.info.guards.label)}. "
                f"{escape(report.info.catches)}</p><pre>{escape(failure.message)}</pre>"
                f"{'<p>Reproduce with:</p>' + commands if commands else ''}</div>"
            )
    return "".join(parts) or "<p>No failures.</p>"


def _traffic(result: SuiteResult) -> str:
    if result.traffic is None:
        return ""
    return f"<p class='meta'>Target: {escape(result.traffic.line())}</p>"


def render_html(result: SuiteResult) -> str:
    """The run as one HTML document."""
    if result.problem is not None:
        verdict = f"<p class='verdict ko'>Not run: {escape(result.problem)}</p>"
    elif result.passed:
        verdict = "<p class='verdict ok'>Passed: the target keeps every promise checked</p>"
    else:
        verdict = (
            f"<p class='verdict ko'>Failed: {escape(', '.join(sorted(result.failed_checks)))}</p>"
        )
    seed = result.seed if result.seed is not None else "derandomised"
    header = (
        "<tr><th>check</th><th>catches</th><th>guards</th><th>profile</th>"
        "<th>shown</th><th>judged</th><th>passed</th><th>failed</th><th>status</th></tr>"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Conformance of {escape(result.target)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>Conformance of {escape(result.target)}</h1>"
        f"<p class='meta'>Contract {escape(result.spec)} · "
        f"profile {escape(result.profile.value)} · seed {escape(str(seed))} · "
        f"{result.duration:.1f} s</p>{_traffic(result)}{verdict}"
        f"<h2>Checks by outcome</h2>{_chart(result.checks)}"
        f"<h2>Failures</h2>{_failures(result.checks)}"
        f"<h2>Checks</h2><table>{header}{''.join(_row(report) for report in result.checks)}</table>"
        "</body></html>\n"
    )


def write_html(result: SuiteResult, path: Path) -> Path:
    """Write the HTML report to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result), encoding="utf-8")
    return path
