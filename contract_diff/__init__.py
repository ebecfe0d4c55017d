"""Compare two versions of the OpenAPI contract and classify each change breaking or compatible.

`diff_documents(old, new)` lists the changes of two parsed documents; `judge` applies the CI
rule (a breaking change needs a major version bump and a changelog entry); `main` is the
command line behind `python -m contract_diff --base REF [--gate]`.
"""

from contract_diff._cli import format_changes, main
from contract_diff._document import diff_documents
from contract_diff._gate import Verdict, changelog_versions, judge, major_of
from contract_diff._git import Base, GitError, choose_base, read_at
from contract_diff._model import Change, Direction, Effect, Party

__all__ = [
    "Base",
    "Change",
    "Direction",
    "Effect",
    "GitError",
    "Party",
    "Verdict",
    "changelog_versions",
    "choose_base",
    "diff_documents",
    "format_changes",
    "judge",
    "main",
    "major_of",
    "read_at",
]
