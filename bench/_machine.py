"""A one-paragraph description of the machine a table was measured on."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

__all__ = ["code_version", "describe_machine"]


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def _version(argv: list[str]) -> str:
    if shutil.which(argv[0]) is None:
        return "absent"
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def describe_machine() -> str:
    """CPU, cores, memory, kernel, Python, wrk and Node versions, and the load average now."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}, "
        f"{_version(['wrk', '-v'])}, Node {_version(['node', '--version'])}; "
        f"load average at start {load} (1/5/15 min)"
    )


def code_version() -> str:
    """The commit the reference server's code is at, and whether its files differ from it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout.strip()

    commit = git("log", "-1", "--format=%h", "--", "refserver") or "unknown"
    dirty = " plus uncommitted changes" if git("status", "--porcelain", "--", "refserver") else ""
    return f"refserver/ at commit {commit}{dirty}"
