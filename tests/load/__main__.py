"""`python -m tests.load`: see tests/load/run.py."""

from tests.load.run import main

raise SystemExit(main())
