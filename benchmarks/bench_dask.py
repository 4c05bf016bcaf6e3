"""How the gradient time of a chunked logistic regression changes with the number of
workers of a `distributed.LocalCluster` (one thread each), against NumPy in one process.

Run: python benchmarks/bench_dask.py [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import npgrad


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def main() -> None:
    import dask.array as da
    from distributed import Client, LocalCluster

    quick = "--quick" in sys.argv
    n, d, chunk = (200_000, 20, 25_000) if quick else (4_000_000, 50, 250_000)
    rng = np.random.default_rng(0)
    X_host = rng.normal(size=(n, d))
    y_host = (rng.random(n) < 0.5).astype(float)
    w = rng.normal(size=d) * 0.1
    g = npgrad.grad(loss)
    g(w, X_host, y_host)  # transform once, outside the timing
    t0 = time.perf_counter()
    expected = g(w, X_host, y_host)
    t_numpy = time.perf_counter() - t0
    print(f"n={n} d={d} float64, chunks of {chunk} rows; NumPy in one process {t_numpy:.3f} s")
    for workers in (1, 2, 4) if quick else (1, 2, 4, 8):
        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as c:
            with Client(c) as client:
                X = client.persist(da.from_array(X_host, chunks=(chunk, d)))
                y = client.persist(da.from_array(y_host, chunks=chunk))
                got = client.compute(g(da.from_array(w), X, y), sync=True)
                assert np.allclose(got, expected)
                times = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    client.compute(g(da.from_array(w), X, y), sync=True)
                    times.append(time.perf_counter() - t0)
        print(f"{workers} workers: {min(times):.3f} s per gradient (data persisted on workers)")


if __name__ == "__main__":
    main()
