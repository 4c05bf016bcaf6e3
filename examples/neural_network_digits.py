"""A small neural network that reads handwritten digits, trained with npgrad.

The data are scikit-learn's 8x8 digit images (1797 of them, shipped inside scikit-learn).
The network is one tanh hidden layer and a softmax output; the loss is the mean
cross-entropy, written with a numerically stable log-softmax. npgrad differentiates the loss
with respect to all four parameter arrays, and we train by full-batch gradient descent.

Run: pip install -e ".[examples]" && python examples/neural_network_digits.py
"""

import sys
import time

import numpy as np

import npgrad

try:
    from sklearn.datasets import load_digits
except ImportError:
    print('This example needs scikit-learn. Install it with:  pip install -e ".[examples]"')
    sys.exit(0)


def loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # stable: exp never overflows
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    n = X.shape[0]
    return -np.mean(logp[np.arange(n), y])


def predict(W1, b1, W2, b2, X):
    h = np.tanh(X @ W1 + b1)
    return np.argmax(h @ W2 + b2, axis=1)


# Load the digits, scale pixels from 0..16 to 0..1, and hold out 30% as a test set.
digits = load_digits()
X = digits.data / 16.0
y = digits.target  # integer labels 0..9
rng = np.random.default_rng(0)
order = rng.permutation(len(y))
n_test = int(0.3 * len(y))
test, train = order[:n_test], order[n_test:]
X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
print(f"{len(train)} training and {len(test)} test images of {X.shape[1]} pixels each")

# Parameters: 64 inputs -> 32 tanh units -> 10 classes.
n_in, n_hidden, n_out = X.shape[1], 32, 10
W1 = rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, n_hidden))
b1 = np.zeros(n_hidden)
W2 = rng.normal(scale=1 / np.sqrt(n_hidden), size=(n_hidden, n_out))
b2 = np.zeros(n_out)

loss_and_grad = npgrad.value_and_grad(loss, wrt=("W1", "b1", "W2", "b2"))

lr = 0.5
start = time.perf_counter()
for step in range(401):
    value, (dW1, db1, dW2, db2) = loss_and_grad(W1, b1, W2, b2, X_train, y_train)
    if step % 50 == 0:
        accuracy = np.mean(predict(W1, b1, W2, b2, X_train) == y_train)
        print(f"step {step:3d}: loss = {value:.4f}   train accuracy = {accuracy:.1%}")
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
elapsed = time.perf_counter() - start

train_accuracy = np.mean(predict(W1, b1, W2, b2, X_train) == y_train)
test_accuracy = np.mean(predict(W1, b1, W2, b2, X_test) == y_test)
print(f"\ntrained in {elapsed:.1f} s")
print(f"train accuracy: {train_accuracy:.1%}")
print(f"test accuracy: {test_accuracy:.1%}")
