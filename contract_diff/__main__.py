"""Entry point of `python -m contract_diff`."""

import sys

from contract_diff._cli import main

sys.exit(main())
