"""Logistic regression over a data set chunked with Dask, its gradient computed on a
`distributed.LocalCluster` (two worker processes).

The loss is plain NumPy. Called with Dask arrays, npgrad's gradient runs Dask code
(`import dask.array as da`): each step builds a task graph over the chunks, which the
cluster's workers evaluate.

Run: python examples/logistic_regression_dask.py
"""

import numpy as np

import npgrad


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def main() -> None:
    import dask.array as da
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(0)
    n, d = 100_000, 5
    X_host = rng.normal(size=(n, d))
    y_host = (X_host @ rng.normal(size=d) > 0).astype(float)
    X = da.from_array(X_host, chunks=(25_000, d))  # four chunks of rows
    y = da.from_array(y_host, chunks=25_000)

    loss_and_grad = npgrad.value_and_grad(loss)
    print("The Dask code npgrad generates for the gradient:")
    print(loss_and_grad.variant("dask").source)

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            w = np.zeros(d)
            for step in range(31):
                value, dw = client.compute(loss_and_grad(da.from_array(w), X, y), sync=True)
                if step % 10 == 0:
                    print(f"step {step:3d}: loss = {float(value):.4f}")
                w = w - 2.0 * np.asarray(dw)
            check = npgrad.grad(loss)(w, X_host, y_host)  # NumPy, in this process
            _, on_cluster = client.compute(loss_and_grad(da.from_array(w), X, y), sync=True)
            print(f"cluster gradient equals NumPy's: {np.allclose(on_cluster, check)}")
    accuracy = np.mean((X_host @ w > 0) == (y_host == 1))
    print(f"training accuracy: {accuracy:.1%}")


if __name__ == "__main__":
    main()  # LocalCluster starts worker processes: keep the work under the main guard
