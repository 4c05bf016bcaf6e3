"""The rule table, grouped by kind. Importing this package fills `VJPS`, `JVPS`, `NONDIFF`
and `METHODS` (see table.py for how a rule is written)."""

from . import elementwise, fft, linalg, products, reductions, scalars, shape, special  # noqa: F401
from .table import DIAGONAL, JVPS, METHODS, NONDIFF, VJPS, JVPRule, Rule, display_name

__all__ = ["DIAGONAL", "JVPS", "METHODS", "NONDIFF", "VJPS", "JVPRule", "Rule", "display_name"]
