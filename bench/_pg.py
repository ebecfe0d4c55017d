"""A throwaway PostgreSQL cluster (tools/pg_throwaway.sh) for the duration of a benchmark."""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench._requests import ROOT

__all__ = ["pg_available", "throwaway_cluster"]

_SCRIPT = ROOT / "tools" / "pg_throwaway.sh"
_TIMEOUT = 180.0  # seconds for initdb + start, or for stop, on a slow disk


def pg_available() -> bool:
    """Whether PostgreSQL's server binaries are installed where the script looks for them."""
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or shutil.which("initdb") is not None


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster in a new folder, yield its DSN, then stop it and delete the folder."""
    # directly under the temporary root: the cluster's owner must be able to reach the folder
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    try:
        done = subprocess.run(
            [str(_SCRIPT), "start", str(folder)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pg_throwaway.sh start failed: {done.stderr.strip()}")
        yield done.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            [str(_SCRIPT), "stop", str(folder)], capture_output=True, timeout=_TIMEOUT, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)
