"""Read the contract as it was at a git ref, and choose that ref when none is given.

`auto` picks, in order:

| situation                                           | base                                     |
|-----------------------------------------------------|------------------------------------------|
| the working copy's contract differs from HEAD's     | HEAD: the edits not yet committed        |
| otherwise                                           | the parent of the last commit that       |
|                                                     | changed the contract: that change        |
| that commit has no parent (the first contract)      | none: nothing to compare                 |
| its parent is not in a shallow clone                | none, with a note to fetch the history   |

Unlike `HEAD~1` this works on a single-commit clone (it reports that there is nothing to
compare instead of failing on a missing ref), and unlike `origin/main` it still finds the last
contract change when CI runs on `main` itself, where `origin/main` is the commit under test.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Base", "GitError", "choose_base", "read_at", "toplevel"]

_GIT_TIMEOUT = 60  # seconds; a local git read finishes in milliseconds


class GitError(RuntimeError):
    """A git command failed, or a ref named by the user does not exist."""


@dataclass(frozen=True)
class Base:
    """The ref to compare with (None: nothing to compare) and why it was chosen."""

    ref: str | None
    why: str


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done


def toplevel(start: Path) -> Path:
    """The root of the work tree that holds `start`."""
    return Path(_git(start, "rev-parse", "--show-toplevel").stdout.strip())


def _commit(root: Path, ref: str) -> str | None:
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return done.stdout.strip() or None if done.returncode == 0 else None


def read_at(root: Path, ref: str, relative: str) -> str | None:
    """The file's text at `ref`, or None when it did not exist there; GitError for a bad ref."""
    commit = _commit(root, ref)
    if commit is None:
        raise GitError(
            f"{ref!r} is not a commit in this clone (a shallow or single-commit clone lacks "
            "older commits: fetch them with `git fetch --unshallow`, or use --base auto)"
        )
    done = _git(root, "show", f"{commit}:{relative}", check=False)
    return done.stdout if done.returncode == 0 else None


def choose_base(root: Path, relative: str) -> Base:
    """The base `auto` stands for (see the table above)."""
    if _commit(root, "HEAD") is None:
        return Base(None, "the repository has no commit yet")
    if read_at(root, "HEAD", relative) is None:
        return Base(None, f"{relative} is not committed yet: it is the first version")
    if _git(root, "diff", "--quiet", "HEAD", "--", relative, check=False).returncode == 1:
        return Base("HEAD", f"{relative} has edits not yet committed")
    last = _git(root, "log", "-1", "--format=%H %s", "--", relative).stdout.strip()
    commit, _, subject = last.partition(" ")
    parent = _commit(root, f"{commit}^1")
    if parent is not None:
        return Base(parent, f"the contract before its last change, {commit[:12]} {subject!r}")
    if _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        return Base(
            None,
            "this is a shallow clone that ends at the last change to the contract; "
            "fetch the history (git fetch --unshallow) to compare",
        )
    return Base(None, f"{commit[:12]} created the contract: there is no earlier version")
