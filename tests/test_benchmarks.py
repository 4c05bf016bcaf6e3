"""The benchmark still runs (tiny sizes): its correctness asserts run before any timing."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "benchmarks" / "bench_grad.py"


def test_benchmark_quick_runs():
    out = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "npgrad/hand" in out.stdout
