"""npgrad: source-to-source automatic differentiation for plain NumPy code.

@npgrad.grad
def loss(w, X, y): ...

loss(w, X, y)      # the gradient with respect to w
loss.source        # the generated NumPy code
"""

from npgrad.api import (
    Transformed,
    defjvp,
    defvjp,
    grad,
    retarget,
    rules,
    source,
    value_and_grad,
)
from npgrad.errors import (
    NoDerivativeError,
    NonScalarOutputError,
    SourceUnavailableError,
    TransformError,
    UnsupportedSyntaxError,
    WrtTypeError,
)
from npgrad.jacobians import hessian, jacobian, jvp, vjp

__version__ = "0.1.0"

__all__ = [
    "NoDerivativeError",
    "NonScalarOutputError",
    "SourceUnavailableError",
    "TransformError",
    "Transformed",
    "UnsupportedSyntaxError",
    "WrtTypeError",
    "defjvp",
    "defvjp",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "retarget",
    "rules",
    "source",
    "value_and_grad",
    "vjp",
]
