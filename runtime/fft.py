"""Runtime helpers for the fft rules (see transforms/rules/fft.py)."""

from __future__ import annotations

__all__: list[str] = []
