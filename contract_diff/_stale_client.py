"""`fulfillments-check-generated`: fail when a committed client is not what its contract generates.

The client is a golden record: it is regenerated into a temporary folder with the committed
generator config and the generator on PATH (or beside this Python), and every file must match
byte for byte. The project runs it as `make check-generated`; other repositories that keep a copy
of the contract and its client run it through the `check-generated-client` pre-commit hook.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["differences", "generate", "main"]

GENERATOR = "openapi-python-client"


def _generator() -> tuple[str, dict[str, str]]:
    """The generator command and an environment whose PATH finds its formatter (ruff) too."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    found = shutil.which(GENERATOR, path=env["PATH"])
    if found is None:
        raise FileNotFoundError(f"{GENERATOR} is not installed (pip install {GENERATOR})")
    return found, env


def generate(into: Path, spec: Path, config: Path) -> None:
    """Run the generator exactly as `make generate` does, into `into`."""
    command, env = _generator()
    options = ["--path", str(spec), "--config", str(config), "--meta", "none"]
    subprocess.run(
        [command, "generate", *options, "--output-path", str(into), "--overwrite"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _tree(root: Path) -> dict[str, Path]:
    """Every file below `root` by its relative path, caches left out."""
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that are missing, extra or different in `actual`."""
    want, have = _tree(expected), _tree(actual)
    problems = [f"missing: {name}" for name in sorted(want.keys() - have.keys())]
    problems += [f"not generated any more: {name}" for name in sorted(have.keys() - want.keys())]
    problems += [
        f"differs: {name}"
        for name in sorted(want.keys() & have.keys())
        if not filecmp.cmp(want[name], have[name], shallow=False)
    ]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the committed client matches, 1 when it is stale."""
    parser = argparse.ArgumentParser(prog="fulfillments-check-generated", description=__doc__)
    parser.add_argument("--spec", type=Path, default=Path("openapi/fulfillments.yaml"))
    parser.add_argument("--config", type=Path, default=Path("generated/config.yaml"))
    parser.add_argument(
        "--client", type=Path, default=Path("generated/fulfillments_client"), help="its package"
    )
    parser.add_argument("--regenerate", default="make generate", help="named in the message")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / args.client.name
        generate(fresh, args.spec, args.config)
        problems = differences(fresh, args.client)
    if problems:
        print(
            f"{args.client} is stale; run `{args.regenerate}` and commit the result:",
            file=sys.stderr,
        )
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"{args.client} matches {args.spec}")
    return 0
