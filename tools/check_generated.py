"""Fail when the committed client in generated/ is not what the contract generates today.

`make check-generated` runs it; the comparison itself is the kit's `fulfillments-check-generated`
(`contract_diff._stale_client`), which other repositories run as a pre-commit hook.
"""

from __future__ import annotations

import sys
from pathlib import Path

from contract_diff import _stale_client

__all__ = ["differences", "generate", "main"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "fulfillments.yaml"
CONFIG = ROOT / "generated" / "config.yaml"
CLIENT = ROOT / "generated" / "fulfillments_client"

differences = _stale_client.differences


def generate(into: Path, spec: Path = SPEC) -> None:
    """Run the pinned generator exactly as `make generate` does, into `into`."""
    _stale_client.generate(into, spec, CONFIG)


def main() -> int:
    return _stale_client.main(
        ["--spec", str(SPEC), "--config", str(CONFIG), "--client", str(CLIENT)]
    )


if __name__ == "__main__":
    sys.exit(main())
