"""The lock files agree with pyproject.toml, carry hashes, and keep the security fixes.

`make install` installs requirements-dev.lock with `--no-deps --require-hashes`, so a dependency
added to pyproject.toml without `make lock` would silently be missing: these tests catch that,
offline, by reading the files.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests._server_process import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)
# Versions with the published security fixes the locks must not fall behind again.
FIXED = {"urllib3": "2.5.0", "certifi": "2024.7.4", "requests": "2.32.4", "h11": "0.16.0"}


def _lock(name: str) -> dict[str, Version]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {canonicalize_name(pkg): Version(version) for pkg, version in _PIN.findall(text)}


def _entries(name: str) -> list[str]:
    """Each package's block of lines in a lock file, comments left out."""
    text = (ROOT / name).read_text(encoding="utf-8")
    return [block for block in re.split(r"\n(?=\S)", text) if not block.startswith("#")]


RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
EXTRAS = [
    Requirement(line) for lines in PROJECT["optional-dependencies"].values() for line in lines
]


@pytest.mark.parametrize("lock_name", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_is_hashed(lock_name: str) -> None:
    entries = _entries(lock_name)
    assert len(entries) == len(_lock(lock_name)) > 10
    assert [entry.split(" ")[0] for entry in entries if "--hash=sha256:" not in entry] == []


@pytest.mark.parametrize(
    ("lock_name", "requirements"),
    [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + EXTRAS)],
)
def test_every_declared_dependency_is_locked_within_its_range(
    lock_name: str, requirements: list[Requirement]
) -> None:
    locked = _lock(lock_name)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is declared but not in {lock_name}: run make lock"
        assert locked[name] in requirement.specifier, f"{name}=={locked[name]} vs {requirement}"


def test_the_runtime_lock_is_the_dev_locks_runtime_part() -> None:
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    for tool in ("mypy", "ruff", "deptry", "zuora-sdk", "psycopg", "openapi-python-client"):
        assert tool not in runtime, f"{tool} is not part of the kit's runtime"


def test_no_runtime_range_is_an_exact_pin() -> None:
    assert [str(r) for r in RUNTIME if any(s.operator == "==" for s in r.specifier)] == []


@pytest.mark.parametrize("lock_name", ["requirements.lock", "requirements-dev.lock"])
def test_the_locks_keep_the_security_fixes(lock_name: str) -> None:
    locked = _lock(lock_name)
    for name, fixed in FIXED.items():
        if name in locked:
            assert locked[name] >= Version(fixed), f"{name} {locked[name]} predates {fixed}"
    assert {"urllib3", "certifi"} <= set(locked)
