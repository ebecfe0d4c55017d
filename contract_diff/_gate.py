"""The CI rule: a breaking change passes only with a major version bump and a changelog entry.

Both are required. The major number is what dependency resolvers and the generated client's
consumers read to know they must act (semantic versioning); the changelog entry is what tells
them how. A bump alone leaves integrators guessing what broke; an entry alone lets a breaking
contract reach them under a version that promises compatibility.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from contract_diff._model import Change

__all__ = ["Verdict", "changelog_versions", "judge", "major_of"]

_VERSION = re.compile(r"^v?(\d+)\.\d+\.\d+")
_HEADING = re.compile(r"^#{1,6}\s+\[?v?(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)\]?", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """Whether the gate passes, and the one-line reason printed under the changes."""

    passed: bool
    reason: str


def major_of(version: object) -> int | None:
    """The major number of a semantic version (`2.0.0`, `v2.1.3`), None if it is not one."""
    match = _VERSION.match(str(version)) if version is not None else None
    return int(match.group(1)) if match else None


def changelog_versions(text: str | None) -> frozenset[str]:
    """The versions that have a heading (`## 2.0.0`, `## [2.0.0] - 2026-01-31`) in a changelog."""
    return frozenset(_HEADING.findall(text or ""))


def judge(
    changes: Sequence[Change],
    old_version: object,
    new_version: object,
    old_changelog: str | None,
    new_changelog: str | None,
    changelog_name: str,
) -> Verdict:
    """Pass without breaking changes, or with a major bump and a new changelog entry for it."""
    breaking = sum(1 for change in changes if change.breaking)
    if not breaking:
        return Verdict(True, "no breaking change")
    old_major, new_major = major_of(old_version), major_of(new_version)
    bumped = old_major is not None and new_major is not None and new_major > old_major
    version = str(new_version)
    entry = version in changelog_versions(new_changelog) - changelog_versions(old_changelog)
    if bumped and entry:
        return Verdict(
            True,
            f"{breaking} breaking change(s) accepted: info.version {old_version} -> "
            f"{new_version} and {changelog_name} has a new entry for {version}",
        )
    missing = []
    if not bumped:
        target = f"{(old_major or 0) + 1}.0.0" if old_major is not None else "a new major version"
        missing.append(f"bump info.version's major number ({old_version} -> {target})")
    if not entry:
        missing.append(f"add an entry '## {version if bumped else 'X.0.0'}' to {changelog_name}")
    return Verdict(
        False,
        f"{breaking} breaking change(s): {' and '.join(missing)}, or make the change compatible",
    )
