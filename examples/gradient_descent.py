"""Minimise f(x) = x**2 by gradient descent, starting from x = 2.0.

Each step moves x against the gradient: x <- x - lr * f'(x). With f'(x) = 2*x and lr = 0.1
every step multiplies x by 0.8, so x shrinks geometrically towards the minimum at 0.

Run: python examples/gradient_descent.py
"""

import npgrad


def f(x):
    return x**2


df = npgrad.grad(f)

x = 2.0
lr = 0.1
print(f"step  0: x = {x:.6f}   f(x) = {f(x):.6f}")
for step in range(1, 51):
    x = x - lr * df(x)
    if step % 5 == 0:
        print(f"step {step:2d}: x = {x:.6f}   f(x) = {f(x):.6f}")

print(f"final x = {x:.2e} (the minimum is at x = 0)")
