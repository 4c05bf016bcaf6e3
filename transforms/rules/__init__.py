"""The rule table, grouped by kind. Importing this package fills `VJPS`, `NONDIFF` and
`METHODS` (see table.py for how a rule is written)."""

from . import elementwise, fft, linalg, products, reductions, shape, special  # noqa: F401
from .table import METHODS, NONDIFF, VJPS, Rule, display_name

__all__ = ["METHODS", "NONDIFF", "VJPS", "Rule", "display_name"]
