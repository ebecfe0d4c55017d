"""Settings for remote targets: prefixed variables, the config file, waivers and masked secrets."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conformance import CheckStatus, SuiteOptions, run_suite
from conformance.cli import options_from
from conformance.curl import curl_command
from conformance.oauth import Credentials
from conformance.options import DEFAULT_REPORT_DIR, DEFAULT_TOKEN2
from conformance.report import render_html, render_summary
from conformance.report.junit import render_junit
from tests._server_process import ROOT
from tests.planted import served, variant_named
from tests.planted._runs import quick_options


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CONFORMANCE_* variable, and a working directory without conformance.toml."""
    import os  # noqa: PLC0415 - only to list the variables to clear

    for name in list(os.environ):
        if name.startswith("CONFORMANCE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_prefixed_variables_are_read(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN", "meant-for-something-else")
    monkeypatch.setenv("TARGET", "http://elsewhere.invalid")
    options, _ = options_from([])
    assert options.token == "dev-token"
    assert options.target is None
    monkeypatch.setenv("CONFORMANCE_TOKEN", "the-token")
    assert options_from([])[0].token == "the-token"


def test_command_line_beats_environment_beats_file_beats_default(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / "conformance.toml").write_text(
        'target = "http://file.invalid"\nprofile = "zuora"\nrate_limit = 20\ntimeout = 7\n'
        'headers = { "Zuora-Entity-Ids" = "from-file", "X-Gateway" = "g" }\n'
        '[waivers]\nunsupported_method = "nginx answers TRACE itself"\n',
        encoding="utf-8",
    )
    options, _ = options_from([])
    assert options.target == "http://file.invalid"
    assert options.rate_limit == 20
    assert options.timeout == 7
    assert options.waivers == (("unsupported_method", "nginx answers TRACE itself"),)
    monkeypatch.setenv("CONFORMANCE_TARGET", "http://env.invalid")
    monkeypatch.setenv("CONFORMANCE_HEADERS", "Zuora-Entity-Ids: from-env")
    options, _ = options_from(["--timeout", "3"])
    assert options.target == "http://env.invalid"
    assert options.timeout == 3
    assert dict(options.headers) == {"X-Gateway": "g", "Zuora-Entity-Ids": "from-env"}
    options, _ = options_from(["--target", "http://cli.invalid", "--header", "A: b"])
    assert options.target == "http://cli.invalid"
    assert ("A", "b") in options.headers


def test_secrets_are_refused_in_the_config_file(
    clean_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_environment / "conformance.toml").write_text('token = "oops"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        options_from([])
    assert stopped.value.code == 2
    assert "must not be in a file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variables", "argv"),
    [
        ({"CONFORMANCE_TOKEN2": ""}, []),
        ({"CONFORMANCE_CLIENT_ID2": ""}, []),
        ({}, ["--token2", ""]),
    ],
)
def test_an_empty_second_credential_means_no_second_tenant(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    argv: list[str],
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert not options_from(argv)[0].has_second_tenant


def test_defaults_apply_only_without_any_credential(clean_environment: Path) -> None:
    assert options_from([])[0].has_second_tenant
    options, _ = options_from(["--client-id2", "abc", "--client-secret2", "s"])
    assert options.client_id2 == "abc"
    assert options.has_second_tenant


def test_make_passes_short_names_on_and_an_empty_token2_through(clean_environment: Path) -> None:
    shown = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(ROOT),
            "-f",
            "Makefile",
            "-f",
            "-",
            "show",
            "TOKEN2=",
            "TARGET=http://t.invalid",
            "HEADERS=A: b",
        ],
        input="show:\n\t@env | grep ^CONFORMANCE_ | sort\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown == [
        "CONFORMANCE_HEADERS=A: b",
        "CONFORMANCE_TARGET=http://t.invalid",
        "CONFORMANCE_TOKEN2=",
    ]


def test_an_unknown_waiver_is_a_misconfiguration() -> None:
    result = run_suite(
        SuiteOptions(target="http://127.0.0.1:9", waivers=(("no_such_check", "because"),))
    )
    assert result.exit_code == 2
    assert "no_such_check" in (result.problem or "")
    stopped = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "--waive",
            "no_such_check=because",
            "--target",
            "http://127.0.0.1:9",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert stopped.returncode == 2


def test_a_waived_failure_keeps_the_exit_code_and_shows_its_reason() -> None:
    variant = variant_named("validation-422")
    with served(variant) as url:
        options = quick_options(url, provoke=variant.provoke, examples=variant.examples)
        strict = run_suite(options)
        waivers = tuple((name, "a framework default we accept") for name in variant.expected)
        lenient = run_suite(replace(options, waivers=waivers))
    assert strict.exit_code == 1
    assert lenient.exit_code == 0
    report = lenient.report("invalid_body_rejected")
    assert report.status is CheckStatus.WAIVED
    assert report.failed > 0
    assert "WAIVED: a framework default we accept" in render_summary(lenient)
    assert "waived: a framework default we accept" in render_html(lenient)
    junit = render_junit(lenient)
    assert 'name="waived" value="a framework default we accept"' in junit
    assert "<failure" not in junit.split('name="invalid_body_rejected"')[1].split("</testcase>")[0]


def test_curl_lines_show_every_secret_as_its_variable() -> None:
    credentials = Credentials(
        static={"TOKEN": "tok-1"}, grants={}, token_url="", masked={"X_API_KEY": "k-123"}
    )
    secrets = credentials.secrets()
    line = curl_command(
        "POST",
        "https://t/v1/fulfillments",
        {"Authorization": "Bearer tok-1", "X-Api-Key": "k-123"},
        b"{}",
        secrets=secrets,
    )
    assert "tok-1" not in line
    assert "k-123" not in line
    assert '"Authorization: Bearer $TOKEN"' in line
    assert '"X-Api-Key: $X_API_KEY"' in line


def test_options_left_out_take_the_defaults_of_conformance_options(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line restates no default: it applies, and its help shows, the suite's own."""
    monkeypatch.delenv("CI", raising=False)
    options, args = options_from([])
    defaults = SuiteOptions()
    assert (options.workers, options.timeout) == (defaults.workers, defaults.timeout)
    assert (options.max_examples, options.profile) == (defaults.max_examples, defaults.profile)
    assert options.hypothesis_profile == defaults.hypothesis_profile
    assert args.report_dir == DEFAULT_REPORT_DIR
    monkeypatch.setenv("CI", "true")
    assert options_from([])[0].hypothesis_profile == "ci"
    with pytest.raises(SystemExit):
        options_from(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"(default {defaults.workers}; CONFORMANCE_WORKERS)" in shown
    assert f"(default {DEFAULT_REPORT_DIR}; CONFORMANCE_REPORT_DIR)" in shown
    assert f"default {DEFAULT_TOKEN2} without a client id" in shown
