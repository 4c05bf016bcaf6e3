"""npgrad's rule table covers more than autograd's (measured, not assumed)."""

import numpy as np
import pytest

import npgrad


def _numpy_function(wrapped):
    """The NumPy/SciPy function an autograd primitive wraps, or None (autograd internals)."""
    f = getattr(wrapped, "fun", None)
    module = getattr(f, "__module__", None) or ("numpy" if isinstance(f, np.ufunc) else "")
    return f if module.startswith(("numpy", "scipy")) else None


def test_more_functions_than_autograd():
    core = pytest.importorskip("autograd.core")
    pytest.importorskip("autograd.numpy")
    pytest.importorskip("autograd.scipy.special")
    for module in ("stats", "linalg", "signal", "integrate"):
        pytest.importorskip(f"autograd.scipy.{module}")
    theirs = {id(f) for w in core.primitive_vjps if (f := _numpy_function(w)) is not None}
    ours = [r for r in npgrad.rules() if r["kind"] not in ("user rules", "no gradient")]
    assert len(theirs) > 150  # the measurement works: autograd 1.9 has about 190
    assert len(ours) > len(theirs), (len(ours), len(theirs))


@pytest.mark.parametrize(
    "name",
    ["cumprod", "matrix_power", "qr", "lstsq", "take", "flip"],
)
def test_gaps_users_asked_autograd_for_are_covered(name):
    names = {r["name"].rsplit(".", 1)[-1] for r in npgrad.rules()}
    assert name in names
