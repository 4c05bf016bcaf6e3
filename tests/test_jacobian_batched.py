"""Batched Jacobians (transforms/batch.py): the JVP (forward mode) or the VJP (reverse
mode) runs once for many seeds, each tangent or adjoint with a leading batch axis.

Every batched Jacobian is compared with the Jacobian from one JVP or VJP per seed (which
tests/test_forward.py and tests/test_rules_forward.py check against finite differences),
and samples directly with central finite differences in float64. The broadcasting traps
(a batch of k seeds next to data with k rows) use sizes where a wrong alignment would not
raise.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from npgrad.transforms.rules import special
from rulecases import Case

import npgrad

RNG = np.random.default_rng(11)
_MODULES = [
    importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("cases_*.py"))
]
CASES: list[Case] = [c for m in _MODULES for c in m.CASES]


def jacobians(f, args, wrt=0, mode="forward"):
    """(batched Jacobian, why it did not run batched or "", Jacobian from one call per
    seed)."""
    batched = npgrad.jacobian(f, wrt=wrt, mode=mode)
    got = batched(*args)
    ran = next(iter(batched.refused.values()), "") if batched.refused else ""
    loop = npgrad.jacobian(f, wrt=wrt, mode=mode)
    loop.batch = False
    return got, ran, loop(*args)


def central(f, args, i, eps=1e-6):
    """The Jacobian of f with respect to args[i] by central differences in float64."""
    x = np.array(args[i], dtype=np.float64)
    out = np.asarray(f(*args))
    jac = np.zeros(out.shape + x.shape, dtype=np.result_type(out, np.float64))
    for k in np.ndindex(x.shape):
        moved = []
        for sign in (1, -1):
            y = x.copy()
            y[k] += sign * eps
            call = list(args)
            call[i] = float(y) if isinstance(args[i], float) else y
            moved.append(np.asarray(f(*call)))
        jac[(..., *k)] = (moved[0] - moved[1]) / (2 * eps)
    return jac


def check(f, *args, wrt=0, batched=True, fd=True, rtol=1e-12, modes=("forward", "reverse")):
    """Both modes batched, equal to one call per seed and to central differences."""
    for mode in modes:
        got, why, want = jacobians(f, args, wrt, mode)
        assert (not why) == batched, f"{mode}: {why or 'batched, not expected'}"
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
        if fd:
            np.testing.assert_allclose(got, central(f, args, wrt), rtol=1e-6, atol=1e-7)
    return got


# ----- every rule case -------------------------------------------------------------------


def _load(case: Case, k: int, tmp: Path):
    names = list(case.args)
    imports = "".join(f"import {m}\n" for m in case.imports)
    src = f"import numpy as np\n{imports}\n\ndef h({', '.join(names)}):\n"
    path = tmp / f"batched_case_{k}.py"
    path.write_text(src + f"    return {case.expr}\n")
    spec = importlib.util.spec_from_file_location(f"batched_case_{k}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.h


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_every_rule_case_batched_equals_one_call_per_seed(mode, tmp_path):
    """For every rule case and argument (every other one in reverse mode): the batched
    Jacobian equals the per-seed one (to 1e-12, float64); one case in five is also checked
    with central differences. Most cases must batch; the rest fall back to one call per
    seed and still give the same."""
    special.load()
    counts = {"batched": 0, "mapped": 0, "fallback": 0, "refused": 0}
    reasons: dict[str, int] = {}
    wrong = []
    for k, case in enumerate(CASES):
        if mode == "reverse" and k % 2:
            continue  # reverse mode: every other case (the suite's time)
        for module in case.imports:
            importlib.import_module(module)
        h = _load(case, k, tmp_path)
        names, args = list(case.args), list(case.args.values())
        for w in case.wrt:
            i = names.index(w)
            if np.size(args[i]) == 0:
                continue
            jac = npgrad.jacobian(h, wrt=i, mode=mode)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    got = jac(*args)
                except (npgrad.TransformError, NotImplementedError):
                    counts["refused"] += 1  # refused in forward mode altogether
                    continue
                loop = npgrad.jacobian(h, wrt=i, mode=mode)
                loop.batch = False
                want = loop(*args)
            if jac.refused:
                counts["fallback"] += 1
                why = next(iter(jac.refused.values())).split(" in `")[0]
                reasons[why] = reasons.get(why, 0) + 1
            else:
                counts["batched"] += 1
                counts["mapped"] += "rt.batch_map(" in jac.source
            tol = 1e-5 if case.loose else 1e-12
            if np.shape(got) != np.shape(want) or not np.allclose(got, want, tol, tol):
                wrong.append(f"{case.id} wrt {w}")
            elif not case.loose and (k % 5 == 0) and not jac.refused:
                fd = central(h, args, i)
                if np.iscomplexobj(got) or not np.allclose(got, fd, rtol=1e-5, atol=1e-6):
                    if not np.allclose(want, fd, rtol=1e-5, atol=1e-6):
                        continue  # a case whose differences are not accurate (kinks, steps)
                    wrong.append(f"{case.id} wrt {w} (finite differences)")
    print(f"\nbatched {mode} Jacobians over the rule cases: {counts}")
    for why, n in sorted(reasons.items(), key=lambda r: -r[1]):
        print(f"  fallback {n:3d}: {why}")
    assert not wrong, wrong
    tried = counts["batched"] + counts["fallback"]
    # reverse mode batches less of the runtime helpers' own cases (higher derivatives):
    # many of their adjoints return several parts
    assert counts["batched"] >= (0.85 if mode == "forward" else 0.8) * tried, counts
    assert counts["mapped"] <= (0.4 if mode == "forward" else 0.65) * counts["batched"], counts


# ----- broadcasting traps: k seeds next to data with k rows ----------------------------------


def test_outer_column_times_square_matrix():
    """x (3,) gives 3 seeds; A is (3, 3): tx[:, None] * A without the batch axis moved
    would broadcast silently and wrongly."""
    A = RNG.normal(size=(3, 3))
    J = check(lambda x, A: x[:, None] * A, RNG.normal(size=3), A)
    assert J.shape == (3, 3, 3)


def test_vector_plus_matrix_rows():
    A = RNG.normal(size=(4, 4))
    check(lambda x, A: np.sin(x + A) * A, RNG.normal(size=4), A)
    check(lambda x, b: np.exp(b + x), RNG.normal(size=(4, 4)), RNG.normal(size=4))
    check(lambda x, b: x * b, RNG.normal(size=(2, 3)), RNG.normal(size=(3,)))
    check(lambda b, x: x / (1 + b**2), RNG.normal(size=(3,)), RNG.normal(size=(3, 3)))


def test_where_and_clip_with_broadcast_operands():
    c = RNG.normal(size=(3, 3)) > 0
    check(lambda x, c: np.where(c, x, 2 * x), RNG.normal(size=3), c)
    check(lambda x: np.clip(x[:, None] * np.ones(3), -0.5, 0.5), RNG.normal(size=3))


def test_scalar_argument_and_scalar_output():
    check(lambda x: np.sin(x) * np.arange(3.0), 0.7)
    check(lambda x: np.sum(np.tanh(x) ** 2), RNG.normal(size=(3, 2)))


# ----- reductions, products, shapes ---------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.sum(x, axis=0),
        lambda x: np.sum(x, axis=-1, keepdims=True),
        lambda x: np.mean(x**2),
        lambda x: np.max(x, axis=(0, 2)),
        lambda x: x.sum(axis=1) * x.std(),
        lambda x: np.cumsum(x),
        lambda x: np.cumsum(x, axis=1),
        lambda x: np.prod(x, axis=2),
        lambda x: np.linalg.norm(x),
    ],
)
def test_reductions(f):
    check(f, RNG.uniform(0.5, 1.5, size=(3, 3, 2)))


def test_matmul_with_one_dimensional_operands():
    A, B = RNG.normal(size=(3, 3)), RNG.normal(size=(2, 3, 3))
    v = RNG.normal(size=3)
    check(lambda x, A: A @ x, v, A)  # (3, 3) @ batch of vectors
    check(lambda x, A: x @ A, v, A)
    check(lambda x, v: x @ v, RNG.normal(size=3), v)  # a dot product
    check(lambda x, B: B @ x, v, B)  # a stack of matrices times vectors
    check(lambda x, A: np.tanh(A @ x) @ A, RNG.normal(size=(3, 3)), A)
    check(lambda x, A: x @ A, RNG.normal(size=(3, 3)), B)  # (3, 3) against a stack
    check(lambda x, A: np.dot(A, x) + np.dot(x, x), v, A)
    check(lambda x, A: np.linalg.solve(A + 4 * np.eye(3), x), v, A)
    check(lambda x, B: np.linalg.solve(B + 4 * np.eye(3), x), v, B)
    check(lambda x, A: np.tensordot(A, x, 1), v, A)
    check(lambda x, A: np.tensordot(x, A, axes=([0], [1])), RNG.normal(size=(3, 2)), A)
    check(lambda x, v: np.inner(v, x) + np.vdot(x, x[::-1]), RNG.normal(size=(2, 3)), v)
    check(lambda x, A: np.outer(x, A[0]) + np.outer(A[1], x), v, A)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x[0].T @ x[1] + x.T[:, :, 0],
        lambda x: np.transpose(x, (1, 0, 2)).reshape(2, -1),
        lambda x: np.swapaxes(x, 0, -1),
        lambda x: np.moveaxis(x, 0, 2)[..., 1],
        lambda x: x.reshape(-1) * np.arange(12.0),
        lambda x: np.ravel(x)[::2],
        lambda x: np.expand_dims(x, 1) * np.ones((3, 4, 2, 1)),
        lambda x: np.broadcast_to(x[0], (5, 2, 2)),
        lambda x: np.concatenate([x, 2 * x], axis=-1),
        lambda x: np.stack([x[0], x[2]], axis=1),
        lambda x: np.array([[x[0, 0], x[1, 1]], [x[2, 0], x[0, 1]]]),
        lambda x: np.flip(x) + np.roll(x, 1, axis=0),
        lambda x: np.pad(x, 1),
        lambda x: np.diff(x, axis=0) * np.real(np.fft.fft(x)[1:]),
    ],
)
def test_shapes(f):
    modes = ("forward",) if f(np.ones((3, 2, 2))).shape == (2, 2, 2) else ("forward", "reverse")
    check(f, RNG.normal(size=(3, 2, 2)), modes=modes)  # (rt.undiff: per row in reverse)


# ----- indexing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x[1],
        lambda x: x[:, 0],
        lambda x: x[..., 1],
        lambda x: x[None, 1:, ::-1],
        lambda x: x[x > 0],
        lambda x: x[[0, 2, 2]],
        lambda x: x[np.array([2, 0]), np.array([1, 1])],
        lambda x: x[:, [1, 0]],
        lambda x: x[[0, 1], :][:, [1, 1]],
    ],
)
def test_indexing(f):
    check(f, RNG.normal(size=(3, 3)))


def test_advanced_indices_apart_put_their_dimensions_first():
    """x[i, :, j] with arrays i, j: NumPy puts the broadcast dimensions first; the batch
    axis must still come first."""
    i, j = np.array([0, 2, 1]), np.array([1, 0, 1])
    check(lambda x: x[i, :, j], RNG.normal(size=(3, 3, 2)))
    check(lambda x: x[0, :, j], RNG.normal(size=(3, 3, 2)))


def test_writes_into_arrays():
    def f(x):
        y = np.zeros((3, 3))
        y[0] = x
        y[1:, 1] = x[:2] * 2
        np.add.at(y, ([2, 2], [0, 0]), x[1])
        return y * x

    check(f, RNG.normal(size=3))


# ----- control flow and lists ----------------------------------------------------------------


def rnn(x, W, n):
    h = np.zeros(3)
    hs = []
    for t in range(n):
        h = np.tanh(W @ h + x[t])
        if np.sum(h) > 0:
            h = h * 1.5
        else:
            h = h - 0.1
        hs.append(h)
    return np.stack(hs)


def test_loops_branches_and_lists():
    W = RNG.normal(size=(3, 3))
    J = check(rnn, RNG.normal(size=(4, 3)), W, 4, modes=("forward",))
    assert J.shape == (4, 3, 4, 3)
    check(rnn, RNG.normal(size=(4, 3)), W, 4, wrt=1, modes=("forward",))
    # reverse mode: the adjoint of a list built by append is an rt.GradList, not batched
    check(rnn, RNG.normal(size=(4, 3)), W, 4, modes=("reverse",), batched=False)


def test_while_loop_and_early_return():
    def f(x):
        k = 0
        while k < 5:
            x = np.sin(x) + x
            if np.max(x) > 10:
                return x * 2
            k += 1
        return x

    check(f, RNG.normal(size=4), modes=("forward",))
    # reverse mode: `result = None` before the loop leaves a rank unknown: one VJP per row
    check(f, RNG.normal(size=4), modes=("reverse",), batched=False)


def test_branches_on_the_argument_both_ways():
    def f(x):
        if x[0] > 0:
            y = x * x
        else:
            y = np.zeros_like(x) + 1.0  # a constant: a zero tangent on this path
        return y + x[::-1]

    check(f, np.array([1.0, 2.0, 3.0]))
    check(f, np.array([-1.0, 2.0, 3.0]))


# ----- whole programs, first and second order ----------------------------------------------

W4 = RNG.normal(size=(4, 4)) / 2  # a global array: read live, its ndim checked when run


def prog_rnn(x):
    h = np.zeros(4)
    hs = []
    for t in range(3):
        h = np.tanh(W4 @ h + x * (t + 1))
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def prog_writes(x):
    y = np.zeros((3, 4))
    y[0] = x
    y[1, 1:] = x[:3] * x[1:]
    np.add.at(y, ([0, 0, 1], [1, 1, 2]), x[:3])
    return np.sum(y**2 * np.arange(1.0, 5.0))


def prog_branches(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] ** 3
        else:
            s = s - np.sin(x[i]) * x[0]
    return s * np.sum(x)


def prog_while(x):
    k = 0
    y = x
    while k < 4:
        y = np.cos(y) * x + y[::-1]
        k += 1
        if np.sum(y) > 100:
            break
    return np.sum(y * y)


def prog_fancy(x):
    z = x[np.array([0, 2, 3, 3])] * x[1:][[0, 1, 1, 2]]
    return np.sum(z) + np.sum(x[x > 0] ** 2) + np.sum(np.outer(x, x)[1:, ::2])


def prog_reductions(x):
    X = x.reshape(2, 2)
    return np.max(X, axis=0) @ np.min(X, axis=1) + np.prod(x) + np.linalg.norm(x)


def prog_matrices(x):
    A = x.reshape(2, 2) + 3 * np.eye(2)
    return np.sum(np.linalg.inv(A) @ A.T) + np.linalg.det(A) + np.trace(A @ A)


def prog_lists(x):
    parts = [x[0] * x, np.sin(x), x[::-1]]
    total = 0.0
    for p in parts:
        total = total + np.sum(p * W4[0])
    return total + np.sum(np.concatenate(parts) ** 2)


def prog_broadcasting(x):
    M = x[:, None] * W4 + x[None, :] ** 2
    return np.sum(np.tanh(M) @ x) + np.sum(M.T * x)


PROGRAMS = [
    prog_rnn,
    prog_writes,
    prog_branches,
    prog_while,
    prog_fancy,
    prog_reductions,
    prog_matrices,
    prog_lists,
    prog_broadcasting,
]


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_programs_batched_jacobians_and_hessians(f):
    """Jacobians of the program (scalar: one row) and of its generated gradient (the
    Hessian, forward over reverse, and reverse over reverse): batched where the pass can,
    always equal to one call per seed and to central differences of the gradient."""
    x = np.array([0.3, -0.7, 1.1, 0.5])
    ran = []
    for mode in ("forward", "reverse"):
        got, why, want = jacobians(f, (x,), 0, mode)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        ran.append(not why)
    grad = npgrad.grad(f)
    expected = central(grad, (x,), 0)
    for make in (
        lambda: npgrad.hessian(f),
        lambda: npgrad.jacobian(npgrad.grad(f), mode="reverse"),
        lambda: npgrad.jacobian(npgrad.grad(f), mode="forward"),
    ):
        try:
            batched = make()
            got = batched(x)
        except npgrad.TransformError:
            continue  # a second derivative npgrad refuses (the tape of a loop, ...)
        plain = make()
        for jac in plain.jacobians[0] if isinstance(plain, npgrad.jacobians.Hessian) else [plain]:
            jac.batch = False
        np.testing.assert_allclose(got, plain(x), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ran[0], "forward mode batches every program"


# ----- fallbacks, chunks, source, Hessians ----------------------------------------------------


def test_unbatchable_function_falls_back_and_is_right():
    def f(x):
        return float(np.sum(x)) * x  # a tangent made a Python number: not batched

    jac = npgrad.jacobian(f, mode="forward")
    got = jac(np.arange(3.0))
    assert jac.refused and "Python number" in next(iter(jac.refused.values()))
    np.testing.assert_allclose(got, np.full((3, 3), 0.0) + np.arange(3.0)[:, None] + 3 * np.eye(3))
    assert "def jvp_f" in jac.source  # the code that ran: one JVP per seed


def test_fallback_found_when_it_runs():
    """np.vsplit per seed gives a list: found at run time, one JVP per seed instead."""

    def f(x):
        return np.vsplit(x, 2)[1] * 3.0

    jac = npgrad.jacobian(f, mode="forward")
    got = jac(RNG.normal(size=(4, 2)))
    assert jac.refused
    np.testing.assert_allclose(got, central(f, (RNG.normal(size=(4, 2)),), 0), atol=1e-7)


def test_chunks_of_seeds():
    A = RNG.normal(size=(5, 7))
    jac = npgrad.jacobian(lambda x, A: np.tanh(A @ x), mode="forward")
    jac.max_chunk = 3  # 7 seeds: calls of 3, 3 and 1
    x = RNG.normal(size=7)
    np.testing.assert_allclose(
        jac(x, A), central(lambda x, A: np.tanh(A @ x), (x, A), 0), atol=1e-7
    )


def test_source_shows_the_batched_code():
    jac = npgrad.jacobian(lambda x, A: x[:, None] * A, mode="forward")
    jac(RNG.normal(size=3), RNG.normal(size=(3, 3)))
    assert "tx[:, :, None] * A" in jac.source
    assert "for a batch of tangents" in jac.source


def test_hessian_batches_the_gradients_jvp():
    def f(x, A):
        return np.sum(np.log(np.cosh(A @ x))) + 0.25 * np.sum(x**4)

    A, x = RNG.normal(size=(8, 4)), RNG.normal(size=4)
    hess = npgrad.hessian(f)
    H = hess(x, A)
    s = 1 - np.tanh(A @ x) ** 2
    np.testing.assert_allclose(H, A.T @ (s[:, None] * A) + np.diag(3 * x**2), rtol=1e-12)
    assert "jvp_batched_grad_f" in hess.source


def test_float32_argument_and_python_float_data():
    x = RNG.normal(size=3).astype(np.float32)
    got = check(lambda x, s: np.exp(x) * s, x, 2.5, fd=False, rtol=1e-6)
    assert got.dtype == np.float32


def test_forward_grad_uses_the_batched_jvp():
    g = npgrad.grad(lambda x: np.sum(np.sin(x) * x), mode="forward")
    x = RNG.normal(size=5)
    np.testing.assert_allclose(g(x), np.cos(x) * x + np.sin(x), rtol=1e-12)
    assert "jvp_batched" in g.source


def test_benchmark_quick_runs():
    """benchmarks/bench_jacobian.py checks every Jacobian before it times anything."""
    bench = Path(__file__).parent.parent / "benchmarks" / "bench_jacobian.py"
    out = subprocess.run(
        [sys.executable, str(bench), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "batched" in out.stdout and "per seed" in out.stdout
