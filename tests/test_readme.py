"""README stays true: its quick start runs, and every rule in the table is named in it."""

import re
from pathlib import Path

import numpy as np
from fd import numerical_grad

import npgrad

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_rule_is_named_in_the_readme():
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", README))
    missing = [r["name"] for r in npgrad.rules() if r["name"].rsplit(".", 1)[-1] not in words]
    assert not missing, f"functions in the rule table but not in README: {missing}"


def test_quick_start_runs_and_is_right(tmp_path):
    block = README.split("## Quick start", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    path = tmp_path / "quick_start.py"
    path.write_text(block)
    namespace = {"__name__": "quick_start", "__file__": str(path)}
    exec(compile(block, str(path), "exec"), namespace)
    loss, X, y, w, dw = (namespace[k] for k in ("loss", "X", "y", "w", "dw"))
    expected = numerical_grad(loss.primal, (w, X, y), 0)
    np.testing.assert_allclose(dw, expected, rtol=1e-5, atol=1e-8)


def test_dump_shown_in_readme_is_what_npgrad_prints(tmp_path):
    shown = README.split("`npgrad dump` prints:", 1)[1].split("```python", 1)[1].split("```")[0]
    path = tmp_path / "model.py"
    path.write_text(
        "import numpy as np\n\n\ndef loss(w, X, y):\n"
        "    p = 1 / (1 + np.exp(-X @ w))\n"
        "    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))\n"
    )
    from npgrad.cli import load

    assert shown.strip() in npgrad.grad(load(f"{path}:loss")).source
