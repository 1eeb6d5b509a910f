"""`python -m console` runs the same command as `advisor-console`."""

import sys

from console.cli import main

sys.exit(main())
