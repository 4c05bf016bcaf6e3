"""README stays true: its quick start runs, and every rule in the table is named in it."""

from pathlib import Path

import numpy as np
from fd import numerical_grad

import npgrad
from npgrad.api import rules_markdown

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_readme_rule_table_is_generated_from_the_rule_table():
    block = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert block == rules_markdown(), "run: python tools/update_readme_rules.py"


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
