"""Lists the differentiated function builds (append, extend, pop, comprehensions) and reads
(indexing, np.stack, np.concatenate, np.array, vstack, hstack, builtin sum): every gradient
against central finite differences, every refusal a located transform-time error."""

import inspect

import numpy as np
import pytest
from fd import check_grad, numerical_grad

import npgrad

RNG = np.random.default_rng(7)
X = np.array([0.3, -1.2, 2.0, 0.7])
W = RNG.normal(size=(3, 3)) * 0.8
XS = RNG.normal(size=(4, 3))
M = RNG.normal(size=(4, 3))


# ----- appending in a loop, then reading ------------------------------------------------------


def rnn_stack(W, xs):
    h = np.zeros(W.shape[0])
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H**2) + np.sum(hs[-1])


def rnn_first_last(W, xs):
    h = np.zeros(W.shape[0])
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    return np.sum(np.stack(hs, axis=1) ** 3) + np.sum(hs[0] * hs[-1]) + hs[1][2]


def reads_last_while_appending(x):
    hs = [x]
    for k in range(3):
        hs.append(np.sin(hs[-1]) * (k + 1.5))  # hs[-1]: the element appended just before
    return np.sum(np.stack(hs) ** 2)


def same_value_twice(x):
    hs = []
    y = np.exp(x)
    hs.append(y)
    hs.append(x * 2.0)
    hs.append(y)
    return np.sum(np.stack(hs) * np.arange(12.0).reshape(3, 4))


def appends_constants_too(x):
    hs = []
    for k in range(3):
        hs.append(np.ones(4) * k)  # not differentiated: its entry is dropped in reverse
        hs.append(x * (k + 1.0))
    return np.sum(np.stack(hs) ** 2)


def unread_elements(x):
    hs = [x * 2.0, np.cos(x)]
    hs.append(x**3)
    return np.sum(hs[0]) + np.sum(hs[2])  # hs[1] never read: a zero in the reverse sweep


def concatenate_ragged(x):
    hs = []
    for k in range(1, 4):
        hs.append(np.sin(x[:k]) * k)  # parts of lengths 1, 2, 3
    return np.sum(np.concatenate(hs) ** 2)


def concatenate_axis1(m):
    hs = []
    for k in range(1, 3):
        hs.append(np.tanh(m[:, :k]))
    return np.sum(np.concatenate(hs, axis=1) * np.arange(12.0).reshape(4, 3))


def builtin_sum_of_arrays(x):
    hs = []
    for k in range(3):
        hs.append(np.exp(x * 0.3 * k))
    return np.sum(sum(hs) ** 2)


def builtin_sum_of_scalars(x):
    hs = []
    for k in range(x.shape[0]):
        hs.append(x[k] ** 2 * (k + 1))
    return sum(hs) * 1.5


def sum_of_mixed_shapes(x):
    hs = [np.sum(x), x * 2.0]  # a scalar and an array: sum broadcasts
    hs.append(np.sin(x))
    return np.sum(sum(hs) ** 2)


def slices_of_an_array(m):
    parts = []
    for i in range(m.shape[0]):
        parts.append(m[i, 1:] * m[i, 0])
    return np.sum(np.vstack(parts) ** 2) + np.sum(np.hstack(parts))


def array_of_scalars(x):
    hs = []
    for k in range(x.shape[0]):
        hs.append(x[k] * x[(k + 1) % 4])
    return np.sum(np.array(hs) ** 2)


def appended_in_branch(x):
    hs = []
    for k in range(x.shape[0]):
        if x[k] > 0:
            hs.append(x[k] * x)
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[-1])


def appended_until_break(x):
    hs = []
    s = 0.0
    for k in range(x.shape[0]):
        y = np.exp(x[k])
        hs.append(y * x)
        s = s + y
        if s > 2.0:
            break
    return np.sum(np.stack(hs)) + s


def in_while_loop(x):
    hs = []
    y = x * 1.0
    while len(hs) < 3:
        y = np.sin(y) + 0.5
        hs.append(y)
    return np.sum(np.stack(hs) ** 2)


def loop_over_list(x):
    hs = []
    for k in range(3):
        hs.append(x * (k + 1.0))
    s = 0.0
    for h in hs:
        s = s + np.sum(np.sin(h))
    for k, h in enumerate(hs):
        s = s + k * np.sum(h**2)
    return s


def index_from_loop(x):
    hs = []
    for k in range(4):
        hs.append(np.cos(x) * k)
    s = 0.0
    for k in range(len(hs)):
        s = s + np.sum(hs[k] * hs[len(hs) - 1 - k])
    return s


def stacks_while_growing(x):
    hs = []
    s = 0.0
    for k in range(3):
        hs.append(np.sin(x * (k + 1.0)))
        s = s + np.sum(np.stack(hs) ** 2) + np.sum(np.concatenate(hs) * k) + np.sum(sum(hs))
        s = s + np.sum(hs[k] * hs[0])
    return s


def grows_by_plus_equals(x):
    hs = []
    for k in range(3):
        hs += [x * k, np.exp(x * 0.1 * k)]
    return np.sum(np.stack(hs) ** 2)


def used_as_a_stack(x):
    stack = [x]
    for k in range(3):
        top = stack.pop()
        stack.append(np.sin(top))
        stack.append(top * (k + 2.0))
    return np.sum(np.stack(stack) ** 2) + np.sum(stack[-1])


LOOP_CASES = [
    (rnn_stack, (W, XS), 0),
    (rnn_stack, (W, XS), 1),
    (rnn_first_last, (W, XS), (0, 1)),
    (reads_last_while_appending, (X,), 0),
    (same_value_twice, (X,), 0),
    (appends_constants_too, (X,), 0),
    (unread_elements, (X,), 0),
    (concatenate_ragged, (X,), 0),
    (concatenate_axis1, (M,), 0),
    (builtin_sum_of_arrays, (X,), 0),
    (builtin_sum_of_scalars, (X,), 0),
    (sum_of_mixed_shapes, (X,), 0),
    (slices_of_an_array, (M,), 0),
    (array_of_scalars, (X,), 0),
    (appended_in_branch, (X,), 0),
    (appended_until_break, (X,), 0),
    (appended_until_break, (X * 0.1,), 0),
    (in_while_loop, (X,), 0),
    (loop_over_list, (X,), 0),
    (index_from_loop, (X,), 0),
    (stacks_while_growing, (X,), 0),
    (grows_by_plus_equals, (X,), 0),
    (used_as_a_stack, (X,), 0),
]


@pytest.mark.parametrize(
    "f, args, wrt", LOOP_CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(LOOP_CASES)]
)
@pytest.mark.parametrize("optimize", [True, False], ids=["opt", "noopt"])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_lists_built_by_append(f, args, wrt, optimize, mode):
    check_grad(f, *args, wrt=wrt, optimize=optimize, mode=mode)


# ----- aliases, helpers, extend, pop, lists made per iteration -------------------------------


def stack_all(parts):
    return np.stack(parts)


def add_twice(parts, v):
    parts.append(v)
    parts.append(v * 2.0)
    return parts


def add_and_return(parts, v):
    parts.append(np.cos(v))
    return parts


def builds(v):
    out = []
    for k in range(3):
        out.append(v**k)
    return out


def helper_stacks(x):
    hs = []
    for k in range(3):
        hs.append(np.sin(x + k))
    return np.sum(stack_all(hs) ** 2)


def helper_appends(x):
    hs = []
    hs.append(x)
    add_twice(hs, np.exp(x))
    same = add_and_return(hs, x)
    return np.sum(np.stack(hs) ** 2) + np.sum(same[-1])


def helper_returns_list(x):
    hs = builds(x * 0.5)
    return np.sum(np.stack(hs)) + np.sum(hs[1] ** 2)


def appends_through_alias(x):
    hs = []
    a = hs
    a.append(np.sin(x))
    hs.append(x * 3.0)
    return np.sum(np.stack(a) ** 2) + np.sum(hs[0])


def extends(x):
    hs = [x]
    more = []
    for k in range(2):
        more.append(np.exp(x * k))
    hs.extend(more)
    hs.extend([x * 2.0, np.cos(x)])
    hs += [x**2]
    more.append(x)  # after the extend: not in hs
    return np.sum(np.stack(hs) ** 2) + np.sum(np.stack(more) * 3.0)


def pops(x):
    hs = []
    for k in range(4):
        hs.append(x * (k + 1.0))
    last = hs.pop()
    hs.pop()
    hs.append(np.sin(x))
    return np.sum(np.stack(hs) ** 2) + np.sum(last * x) + np.sum(hs[-1])


def list_per_iteration(x):
    s = 0.0
    for t in range(3):
        row = []
        for k in range(2):
            row.append(np.sin(x * (t + k + 1.0)))
        s = s + np.sum(np.stack(row) ** 2) + np.sum(np.concatenate(row)) * t
    return s


def list_per_iteration_of_while(x):
    s = 0.0
    t = 0
    while t < 3:
        parts = [x * t, np.exp(x)]
        parts.append(s * x)
        s = s + np.sum(sum(parts) ** 2) * 0.1
        t = t + 1
    return s


def list_per_iteration_read_by_inner_loop(x):
    s = 0.0
    for t in range(3):
        row = []
        for k in range(2):
            row.append(np.sin(x * (t + k + 1.0)))
        for k in range(2):
            s = s + np.sum(row[k] ** 2) * (k + 1.0)  # the body ends with a loop
    return s


OBJECT_CASES = [
    (list_per_iteration_read_by_inner_loop, (X,), 0),
    (helper_stacks, (X,), 0),
    (helper_appends, (X,), 0),
    (helper_returns_list, (X,), 0),
    (appends_through_alias, (X,), 0),
    (extends, (X,), 0),
    (pops, (X,), 0),
    (list_per_iteration, (X,), 0),
    (list_per_iteration_of_while, (X,), 0),
]


@pytest.mark.parametrize(
    "f, args, wrt", OBJECT_CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(OBJECT_CASES)]
)
@pytest.mark.parametrize("optimize", [True, False], ids=["opt", "noopt"])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_list_objects(f, args, wrt, optimize, mode):
    check_grad(f, *args, wrt=wrt, optimize=optimize, mode=mode)


# ----- list comprehensions ----------------------------------------------------------------------


def comprehension_stack(w, X):
    return np.sum(np.stack([np.tanh(X[i] * w) for i in range(X.shape[0])]))


def comprehension_with_filter(w, X):
    hs = [np.tanh(X[i] * w) for i in range(X.shape[0]) if np.sum(X[i]) > -2.0]
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[0])


def comprehension_over_rows(w, X):
    return np.sum(np.array([np.sum(row * w) ** 2 for row in X]))


def comprehension_two_fors(w, X):
    hs = [X[i] * w[j] for i in range(X.shape[0]) for j in range(w.shape[0]) if i != j]
    return np.sum(np.concatenate(hs) ** 2)


def comprehension_over_list(w, X):
    hs = [X[i] * w for i in range(X.shape[0])]
    gs = [np.sin(h) for h in hs]
    return np.sum(sum(gs) ** 2)


def comprehension_variable_clashes(w, X):
    i = 2
    hs = [X[i] * w for i in range(X.shape[0])]
    return np.sum(np.stack(hs) ** 2) + np.sum(X[i] * w)  # the function's own i is still 2


def comprehension_reads_its_target(w, X):
    hs = [X[0] * w, X[1]]
    hs = [h * w for h in hs]
    return np.sum(np.stack(hs) ** 2)


def comprehension_enumerate(w, X):
    return np.sum(np.stack([k * np.sin(row * w) for k, row in enumerate(X)]))


def nested_comprehension(w, X):
    rows = [np.stack([X[i, j] * w for j in range(2)]) for i in range(X.shape[0])]
    return np.sum(np.stack(rows) ** 2)


def comprehension_in_a_loop(w, X):
    s = 0.0
    for i in range(2):
        hs = [X[i] * w[j] for i in range(3) for j in range(i + 1)]
        s = s + np.sum(np.stack(hs) ** 2) * (i + 1)  # the loop's own i
    return s


COMPREHENSION_CASES = [
    comprehension_in_a_loop,
    comprehension_stack,
    comprehension_with_filter,
    comprehension_over_rows,
    comprehension_two_fors,
    comprehension_over_list,
    comprehension_variable_clashes,
    comprehension_reads_its_target,
    comprehension_enumerate,
    nested_comprehension,
]


@pytest.mark.parametrize("f", COMPREHENSION_CASES, ids=lambda f: f.__name__)
def test_list_comprehensions(f):
    check_grad(f, M[0], M, wrt=(0, 1))


def test_comprehension_of_constants_stays_one_expression():
    def f(x):
        weights = [k * 0.5 for k in range(4)]
        return np.sum(x * np.array(weights))

    check_grad(f, X)
    assert ".append(" not in npgrad.grad(f).source


# ----- value_and_grad, generated code, lists that are not differentiated ----------------------


def test_value_and_grad_returns_the_value():
    value, (dW, dxs) = npgrad.value_and_grad(rnn_first_last, wrt=(0, 1))(W, XS)
    assert value == pytest.approx(rnn_first_last(W, XS), rel=1e-12)
    np.testing.assert_allclose(dW, numerical_grad(rnn_first_last, (W, XS), 0), rtol=1e-5)
    np.testing.assert_allclose(dxs, numerical_grad(rnn_first_last, (W, XS), 1), rtol=1e-5)


def test_value_and_grad_of_popped_list():
    value, grad = npgrad.value_and_grad(pops)(X)
    assert value == pytest.approx(pops(X), rel=1e-12)
    np.testing.assert_allclose(grad, numerical_grad(pops, (X,), 0), rtol=1e-5, atol=1e-7)


def test_generated_code_reads_like_the_user_code():
    source = npgrad.grad(rnn_stack).source
    assert "hs.append(h_" in source  # the forward sweep keeps the appends
    assert "dhs = rt.GradList(len(hs))" in source
    assert "dhs.add_parts(dH)" in source  # np.stack(hs) along axis 0: the rows of dH
    assert "dhs.pop_or_zeros(" in source


def test_lists_of_constants_still_work():
    def f(x):
        logs = []
        scales = []
        for k in range(3):
            scales.append(k + 1.0)
            x = np.sin(x) * scales[-1]
            logs.append(float(np.sum(x)))
        return np.sum(x) + 0.0 * len(logs) + np.sum(np.array(scales))

    check_grad(f, X)


# ----- refused, with the position of the offending line ---------------------------------------


def list_of_lists(x):
    rows = []
    for k in range(2):
        row = [x * k, x]
        rows.append(row)
    return np.sum(np.array(rows))


def literal_list_of_lists(x):
    a = []
    a.append(x)
    b = [a, a]
    return np.sum(np.stack(b[0]))


def replaces_element(x):
    hs = []
    hs.append(x)
    hs[0] = np.sin(x)
    return np.sum(np.stack(hs))


def inserts(x):
    hs = [x]
    hs.insert(0, x * 2.0)
    return np.sum(np.stack(hs))


def pops_first(x):
    hs = [x, x * 2.0]
    hs.pop(0)
    return np.sum(np.stack(hs))


def slices_list(x):
    hs = []
    for k in range(3):
        hs.append(x * k)
    tail = hs[1:]
    return np.sum(np.stack(tail))


def reduces_list(x):
    hs = [x]
    hs.append(x * 2.0)
    return np.sum(hs)


def concatenates_lists(x):
    hs = [x]
    hs.append(np.sin(x))
    more = hs + [x]
    return np.sum(np.stack(more))


def concatenate_of_popped(x):
    hs = [x[:2], x]
    hs.append(x * 2.0)
    hs.pop()
    return np.sum(np.concatenate(hs))


def made_in_branch(x):
    if x[0] > 0:
        hs = [x]
    else:
        hs = [x * 2.0]
    hs.append(np.sin(x))
    return np.sum(np.stack(hs))


def made_per_iteration_used_after(x):
    for k in range(3):
        hs = [x * k]
        hs.append(x)
    return np.sum(np.stack(hs))


def appends_to_argument(x, acc):
    acc.append(x * 2.0)
    return np.sum(np.stack(acc))


def extends_with_array(x):
    hs = [x]
    hs.extend(np.outer(x, x))
    return np.sum(np.stack(hs))


def reversed_list(x):
    hs = [x]
    hs.append(x * 2.0)
    return np.sum(np.stack(list(reversed(hs))))


REFUSED = [
    (list_of_lists, "rows.append(row)", "lists of lists"),
    (literal_list_of_lists, "b = [a, a]", "lists of lists"),
    (replaces_element, "hs[0] = np.sin(x)", "replace an element"),
    (inserts, "hs.insert(0, x * 2.0)", "insert"),
    (pops_first, "hs.pop(0)", "pop(i)"),
    (slices_list, "tail = hs[1:]", "slicing"),
    (reduces_list, "return np.sum(hs)", "np.sum of a list"),
    (concatenates_lists, "more = hs + [x]", "list of differentiated values"),
    (concatenate_of_popped, "return np.sum(np.concatenate(hs))", "popped"),
    (made_in_branch, "hs.append(np.sin(x))", "inside an `if` or a loop"),
    (made_per_iteration_used_after, "return np.sum(np.stack(hs))", "inside an `if` or a loop"),
    (appends_to_argument, "acc.append(x * 2.0)", "not created in this function"),
    (extends_with_array, "hs.extend(np.outer(x, x))", "extend"),
    (reversed_list, "return np.sum(np.stack(list(reversed(hs))))", "list of differentiated"),
]


@pytest.mark.parametrize("f, needle, words", REFUSED, ids=[c[0].__name__ for c in REFUSED])
def test_refused_with_position(f, needle, words):
    args = (X, [X]) if f is appends_to_argument else (X,)
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(f)(*args)
    message = str(info.value)
    lines, start = inspect.getsourcelines(f)
    line = next(start + k for k, text in enumerate(lines) if needle in text)
    assert f"{inspect.getsourcefile(f)}:{line}:" in message, message
    assert words in message, message
    assert "what to do:" in message, message
