"""`python -m analysis` is the same as the `cakupan` command."""

from analysis.cli import main

raise SystemExit(main())
