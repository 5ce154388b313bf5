"""`python -m sisterctl`."""

from sisterctl.cli import main

raise SystemExit(main())
