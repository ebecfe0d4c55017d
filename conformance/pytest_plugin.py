"""The suite inside a user's own pytest session, loaded with `-p conformance.pytest_plugin`.

Opt-in: installing the kit registers no pytest plugin, so nobody's pytest gains options, a
fixture or an import they did not ask for. Load it with `-p conformance.pytest_plugin` (or
`pytest_plugins = ["conformance.pytest_plugin"]` in a conftest.py). With `--fulfillments-target`
it adds one test item that runs the whole suite against that URL (its failure shows the summary
with a curl line per failure), and the `fulfillments_conformance` fixture lets a test run the
suite itself, for example against a server the test has just started. An option left out takes
the suite's own default (`conformance.options`), as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.options import DEFAULT_MAX_EXAMPLES, DEFAULT_TOKEN, DEFAULT_TOKEN2, SuiteOptions
from conformance.profiles import Profile
from conformance.report import render_summary, write_html, write_junit
from conformance.results import SuiteResult
from conformance.runner import run_suite
from conformance.settings import parse_header, parse_waiver

__all__ = ["ConformanceItem", "fulfillments_conformance"]

_GROUP = "fulfillments-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(_GROUP, "conformance of a server to Zuora's POST /v1/fulfillments")
    group.addoption("--fulfillments-target", default=None, help="base URL of the server to check")
    group.addoption(
        "--fulfillments-token", default=None, help=f"first tenant's token ({DEFAULT_TOKEN})"
    )
    group.addoption(
        "--fulfillments-token2",
        default=None,
        help=f"second tenant's token ({DEFAULT_TOKEN2}); '' for none",
    )
    group.addoption(
        "--fulfillments-profile",
        default=None,
        choices=[profile.value for profile in Profile],
        help=f"how strictly to judge ({SuiteOptions().profile})",
    )
    group.addoption(
        "--fulfillments-max-examples",
        type=int,
        default=None,
        help=f"fuzzing cases ({DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption("--fulfillments-report-dir", default=None, help="write junit.xml and HTML here")
    group.addoption("--fulfillments-client-id", default=None, help="first tenant's OAuth client id")
    group.addoption("--fulfillments-client-secret", default=None, help="its client secret")
    group.addoption(
        "--fulfillments-header", action="append", default=[], help="'Name: value' on every request"
    )
    group.addoption("--fulfillments-ca-bundle", default=None, help="CA file of the target's TLS")
    group.addoption(
        "--fulfillments-waive", action="append", default=[], help="check_name=reason (repeatable)"
    )


def _run(config: pytest.Config, target: str) -> SuiteResult:
    options: dict[str, Any] = {
        "target": target,
        "client_id": config.getoption("--fulfillments-client-id"),
        "client_secret": config.getoption("--fulfillments-client-secret"),
        "headers": tuple(parse_header(h) for h in config.getoption("--fulfillments-header")),
        "ca_bundle": config.getoption("--fulfillments-ca-bundle"),
        "waivers": tuple(parse_waiver(w) for w in config.getoption("--fulfillments-waive")),
    }
    # Unset: the suite's own defaults; an empty token2: no second tenant.
    if config.getoption("--fulfillments-profile") is not None:
        options["profile"] = Profile(config.getoption("--fulfillments-profile"))
    if config.getoption("--fulfillments-token") is not None:
        options["token"] = config.getoption("--fulfillments-token")
    if config.getoption("--fulfillments-token2") is not None:
        options["token2"] = config.getoption("--fulfillments-token2") or None
    if config.getoption("--fulfillments-max-examples") is not None:
        options["max_examples"] = config.getoption("--fulfillments-max-examples")
    result = run_suite(SuiteOptions(**options))
    report_dir = config.getoption("--fulfillments-report-dir")
    if report_dir:
        write_junit(result, Path(report_dir) / "junit.xml")
        write_html(result, Path(report_dir) / "conformance.html")
    return result


class ConformanceFailed(Exception):
    """The target broke the contract, or could not be checked."""


class ConformanceItem(pytest.Item):
    """One test item: the whole suite against `--fulfillments-target`."""

    def runtest(self) -> None:
        result = _run(self.config, str(self.config.getoption("--fulfillments-target")))
        if result.exit_code != 0:
            raise ConformanceFailed(render_summary(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return (
            "conformance",
            None,
            f"conformance of {self.config.getoption('--fulfillments-target')}",
        )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if config.getoption("--fulfillments-target"):
        items.append(ConformanceItem.from_parent(session, name="fulfillments_conformance"))


@pytest.fixture
def fulfillments_conformance(pytestconfig: pytest.Config) -> Callable[[str], SuiteResult]:
    """Run the suite against a URL from inside a test; returns the result to assert on."""

    def run(target: str) -> SuiteResult:
        return _run(pytestconfig, target)

    return run
