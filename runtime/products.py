"""Runtime helpers for the products rules (see transforms/rules/products.py)."""

from __future__ import annotations

__all__: list[str] = []
