"""A vanilla recurrent network trained by gradient descent, differentiated through its loop.

The task is a memory task: at every time step t the network reads a number x_t and must
output x_{t-2}, the input it saw two steps earlier (0 for the first two steps). Predicting
0 all the time scores the variance of x, 1/3; a network that remembers scores near 0.

    h_t = tanh(h_{t-1} @ Wh + x_t @ Wx + b),     out_t = h_t @ Wo + bo

The loss is an ordinary Python `for` loop over the time steps. npgrad differentiates it
(backpropagation through time): the generated gradient runs the loop forwards, saving on a
tape what the reverse sweep needs, then runs it backwards with
`for t in reversed(range(...))`. The parameters are a dict of arrays; the gradient is a dict
with the same keys (npgrad gives each entry its own name in the generated code).

Run: python examples/rnn.py
"""

import numpy as np

import npgrad


def loss(params, xs, ys):
    """Mean squared error over all steps; xs, ys: (time, batch, 1)."""
    Wh, Wx, b = params["Wh"], params["Wx"], params["b"]
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    total = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx + b)
        out = h @ params["Wo"] + params["bo"]
        total = total + np.mean((out - ys[t]) ** 2)
    return total / xs.shape[0]


T, BATCH, HIDDEN, DELAY = 10, 64, 16, 2
rng = np.random.default_rng(0)


def sequences(n):
    """n random sequences and their targets: the input DELAY steps earlier."""
    xs = rng.uniform(-1, 1, size=(T, n, 1))
    ys = np.concatenate([np.zeros((DELAY, n, 1)), xs[:-DELAY]])
    return xs, ys


params = {
    "Wh": 0.5 * rng.normal(size=(HIDDEN, HIDDEN)) / np.sqrt(HIDDEN),
    "Wx": rng.normal(size=(1, HIDDEN)),
    "b": np.zeros(HIDDEN),
    "Wo": 0.1 * rng.normal(size=(HIDDEN, 1)),
    "bo": np.zeros(1),
}
loss_and_grad = npgrad.value_and_grad(loss)  # wrt=0: the dict; its gradient is a dict

# First, a check of the gradient through the loop against central finite differences.
xs, ys = sequences(4)
_, grads = loss_and_grad(params, xs, ys)
eps, worst = 1e-6, 0.0
for name, p in params.items():
    for i in list(np.ndindex(p.shape))[:6]:
        bump = np.zeros_like(p)
        bump[i] = eps
        plus = {**params, name: p + bump}
        minus = {**params, name: p - bump}
        fd = (loss(plus, xs, ys) - loss(minus, xs, ys)) / (2 * eps)
        worst = max(worst, abs(fd - grads[name][i]) / max(1e-8, abs(fd)))
print(f"gradient vs finite differences (30 entries): max relative error {worst:.1e}")
print()

# Gradient descent with momentum, on fresh sequences each step.
xs_test, ys_test = sequences(1000)
velocity = {name: np.zeros_like(p) for name, p in params.items()}
lr, momentum = 0.05, 0.9
for step in range(401):
    xs, ys = sequences(BATCH)
    value, grads = loss_and_grad(params, xs, ys)
    for name in params:
        velocity[name] = momentum * velocity[name] - lr * grads[name]
        params[name] = params[name] + velocity[name]
    if step % 50 == 0:
        test = loss(params, xs_test, ys_test)
        print(f"step {step:3d}: training loss = {value:.5f}   test loss = {test:.5f}")

print()
print(f"final test loss = {loss(params, xs_test, ys_test):.5f} (always predicting 0: 0.333)")
# One test sequence, step by step: the output should follow the input two steps behind.
Wh, Wx, b, Wo, bo = (params[k] for k in ("Wh", "Wx", "b", "Wo", "bo"))
h = np.zeros((1, HIDDEN))
print(" t   input  target  output")
for t in range(T):
    h = np.tanh(h @ Wh + xs_test[t, :1] @ Wx + b)
    out = (h @ Wo + bo)[0, 0]
    print(f"{t:2d} {xs_test[t, 0, 0]:7.3f} {ys_test[t, 0, 0]:7.3f} {out:7.3f}")
