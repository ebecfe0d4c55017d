"""Entry point of `python -m conformance`."""

import sys

from conformance.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
