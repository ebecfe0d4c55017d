"""JUnit XML for CI report panels: one test case per check, a failure per distinct finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.results import CheckStatus, SuiteResult

__all__ = ["render_junit", "write_junit"]

_SKIPPED_STATUSES = (CheckStatus.SKIPPED, CheckStatus.NOT_RUN, CheckStatus.NOT_EXERCISED)


def render_junit(result: SuiteResult) -> str:
    """The run as a JUnit XML document."""
    failing = result.failed_checks
    failed = sum(1 for report in result.checks if report.name in failing)
    skipped = sum(
        1
        for report in result.checks
        if report.status in _SKIPPED_STATUSES and report.name not in failing
    )
    errors = 1 if result.problem is not None else 0
    attributes = {
        "name": "conformance",
        "tests": str(len(result.checks) + errors),
        "failures": str(failed),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{result.duration:.3f}",
    }
    suites = ET.Element("testsuites", attributes)
    suite = ET.SubElement(suites, "testsuite", attributes | {"hostname": result.target})
    properties = ET.SubElement(suite, "properties")
    if result.traffic is not None:
        ET.SubElement(properties, "property", {"name": "traffic", "value": result.traffic.line()})
    for name, value in (
        ("target", result.target),
        ("spec", result.spec),
        ("profile", result.profile.value),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    ET.SubElement(properties, "property", {"name": "seed", "value": str(result.seed)})
    if result.problem is not None:
        case = ET.SubElement(
            suite, "testcase", {"classname": "conformance.target", "name": "target_reachable"}
        )
        ET.SubElement(
            case, "error", {"message": result.problem, "type": "TargetError"}
        ).text = result.problem
    for report in result.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"conformance.{report.info.area}", "name": report.name, "time": "0"},
        )
        case_properties = ET.SubElement(case, "properties")
        for name, value in (
            ("guards", report.info.guards.label),
            ("catches", report.info.catches),
            ("shown", str(report.shown)),
            ("judged", str(report.cases)),
            ("passed", str(report.passed)),
            ("failed", str(report.failed)),
        ):
            ET.SubElement(case_properties, "property", {"name": name, "value": value})
        if report.waiver:
            ET.SubElement(case_properties, "property", {"name": "waived", "value": report.waiver})
        if report.status is CheckStatus.WAIVED:
            # A passing test case: a waiver keeps CI green, and the findings stay on record.
            ET.SubElement(case, "system-out").text = "\n\n".join(
                [f"WAIVED: {report.waiver}"]
                + [
                    "\n".join([f.title, f.message, "Reproduce with:", *f.curl])
                    for f in report.failures
                ]
            )
        if report.status is CheckStatus.FAILED:
            for failure in report.failures:
                text = "\n".join([failure.message, "", "Reproduce with:", *failure.curl])
                ET.SubElement(
                    case, "failure", {"message": failure.title, "type": report.name}
                ).text = text
        elif report.name in failing:
            message = f"{report.why_not_exercised} (every strict check must judge something)"
            ET.SubElement(case, "failure", {"message": message, "type": report.name}).text = message
        elif report.status is CheckStatus.NOT_EXERCISED:
            ET.SubElement(case, "skipped", {"message": report.why_not_exercised})
        elif report.status in _SKIPPED_STATUSES:
            ET.SubElement(case, "skipped", {"message": report.note or report.status.value})
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def write_junit(result: SuiteResult, path: Path) -> Path:
    """Write the JUnit XML to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_junit(result), encoding="utf-8")
    return path
