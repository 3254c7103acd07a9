"""`python -m wasmtui` is the `wasmtui` command."""

from .cli import main

raise SystemExit(main())
