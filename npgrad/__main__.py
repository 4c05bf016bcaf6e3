"""`python -m npgrad` is the `npgrad` command."""

from npgrad.cli import main

raise SystemExit(main())
