"""A stock nginx in front of the reference server, with the one deviation it brings waived.

nginx answers `TRACE` itself with a 405 that has no `Allow` header, so `unsupported_method`
fails through it; a team that accepts that deviation waives that one check in
`conformance.toml`, with its reason on record, and every other check stays strict.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._server_process import ROOT, free_port, serve

NGINX = shutil.which("nginx") or next(
    (str(path) for path in (Path("/usr/sbin/nginx"),) if path.exists()), None
)
_CONFIG = """
worker_processes 1;
user root;
error_log {folder}/error.log;
pid {folder}/nginx.pid;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  client_max_body_size 16m;
  large_client_header_buffers 8 32k;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass {upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
    }}
  }}
}}
"""


@contextlib.contextmanager
def nginx_in_front(upstream: str, folder: Path) -> Iterator[str]:
    """nginx on a free loopback port, proxying to `upstream`, for the length of the block."""
    assert NGINX is not None
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(_CONFIG.format(folder=folder, port=port, upstream=upstream))
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "error.log").read_text(errors="replace")
                    raise RuntimeError(f"nginx did not start: {log}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian package nginx)")
def test_through_nginx_with_its_trace_answer_waived_by_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "conformance.toml").write_text(
        '[waivers]\nunsupported_method = "nginx answers TRACE itself with 405 and no Allow"\n',
        encoding="utf-8",
    )
    with (
        serve("--store", f"sqlite:///{tmp_path / 'store.db'}", folder=tmp_path) as server,
        nginx_in_front(server.url, tmp_path) as url,
    ):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance",
                "--target",
                url,
                "--max-examples",
                "5",
                "--seed",
                "20261206",
                "--report-dir",
                str(tmp_path / "reports"),
            ],
            cwd=tmp_path,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "WAIVED: nginx answers TRACE itself" in run.stdout
    waived = [line for line in run.stdout.splitlines() if line.startswith("unsupported_method")]
    assert any(line.rstrip().endswith("waived") for line in waived), waived
