"""`python -m analysis` is the same as the `cakupan` command."""

from analysis.launch import main

raise SystemExit(main())
