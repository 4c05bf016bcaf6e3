"""Runtime helpers for the shape rules (see transforms/rules/shape.py)."""

from __future__ import annotations

__all__: list[str] = []
