"""Runtime helpers for the special rules (see transforms/rules/special.py)."""

from __future__ import annotations

__all__: list[str] = []
