"""The contract, shipped with the kit: every part finds the one document through `SPEC_PATH`.

Installed, this folder is the package `fulfillments_contract`, so the server, the suite and the
client's tooling read the same file whether they run from a checkout or from a wheel.
"""

from pathlib import Path

__all__ = ["SPEC_PATH"]

SPEC_PATH = Path(__file__).resolve().with_name("fulfillments.yaml")
