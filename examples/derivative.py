"""The derivative of f(x) = x**2 + 3*x at x = 2.0.

By hand: f'(x) = 2*x + 3, so f'(2) = 7. npgrad reads the source of `f` and writes a new
Python function that computes the derivative; `.source` shows that generated code.

Run: python examples/derivative.py
"""

import npgrad


def f(x):
    return x**2 + 3 * x


df = npgrad.grad(f)  # the derivative with respect to the first argument, x

print(f"f(2.0)  = {f(2.0)}")
print(f"f'(2.0) = {df(2.0)}   (by hand: 2*2 + 3 = 7)")
print()
print("The code npgrad generated for f':")
print(df.source)
