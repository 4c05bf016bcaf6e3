"""Runtime helpers for the reductions rules (see transforms/rules/reductions.py)."""

from __future__ import annotations

__all__: list[str] = []
