"""The rule table, grouped by kind. Importing this package fills `VJPS`, `JVPS`, `NONDIFF`
and `METHODS` (see table.py for how a rule is written)."""

from . import (  # noqa: F401
    elementwise,
    fft,
    generated,
    generated_linear,
    generated_more,
    linalg,
    products,
    reductions,
    scalars,
    shape,
    special,
)
from .table import (
    DIAGONAL,
    FORWARD_ONLY,
    JVP_OF,
    JVPS,
    METHODS,
    NONDIFF,
    USER_JVPS,
    VJPS,
    JVPRule,
    Rule,
    display_name,
    has_jvp,
    jvp_rule,
)

__all__ = [
    "DIAGONAL",
    "FORWARD_ONLY",
    "JVP_OF",
    "JVPS",
    "METHODS",
    "NONDIFF",
    "USER_JVPS",
    "VJPS",
    "JVPRule",
    "Rule",
    "display_name",
    "has_jvp",
    "jvp_rule",
]
