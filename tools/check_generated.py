"""Fail when the committed client in generated/ is not what the contract generates today.

The client is a golden record: it is regenerated into a temporary folder with the committed
config and the pinned generator, and every file must match byte for byte.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["differences", "generate", "main"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "fulfillments.yaml"
CONFIG = ROOT / "generated" / "config.yaml"
CLIENT = ROOT / "generated" / "fulfillments_client"


def generate(into: Path, spec: Path = SPEC) -> None:
    """Run the pinned generator exactly as `make generate` does, into `into`."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(into),
            "--overwrite",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def tree(root: Path) -> dict[str, Path]:
    """Every file below `root` by its relative path, caches left out."""
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that are missing, extra or different in `actual`."""
    want, have = tree(expected), tree(actual)
    problems = [f"missing: {name}" for name in sorted(want.keys() - have.keys())]
    problems += [f"not generated any more: {name}" for name in sorted(have.keys() - want.keys())]
    problems += [
        f"differs: {name}"
        for name in sorted(want.keys() & have.keys())
        if not filecmp.cmp(want[name], have[name], shallow=False)
    ]
    return problems


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fulfillments_client"
        generate(fresh)
        problems = differences(fresh, CLIENT)
    if problems:
        print("generated/ is stale; run `make generate` and commit the result:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("generated/ matches the contract")
    return 0


if __name__ == "__main__":
    sys.exit(main())
