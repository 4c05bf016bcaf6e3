"""The `npgrad` command: dump generated code, check a function, list the rules.

npgrad dump model.py:loss --wrt w        print the generated gradient module
npgrad dump model.py:loss --backend cupy print it for CuPy (dask, or an Array API module)
npgrad dump model.py:loss --backend cupy --primal    the function itself, for CuPy
npgrad dump model.py:f --mode forward    the forward-mode (JVP) function
npgrad check model.py:loss               transform only; report errors, exit non-zero
npgrad rules                             list the functions npgrad differentiates
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from npgrad.api import Transformed, grad, retarget, rules, rules_markdown, value_and_grad
from npgrad.errors import TransformError


def load(spec: str) -> Any:
    """The object named by `FILE:FUNC` (FUNC may be dotted: `FILE:Model.loss`)."""
    path_text, sep, qualname = spec.rpartition(":")
    if not sep or not path_text:
        raise SystemExit(f"npgrad: expected FILE:FUNC, got {spec!r}")
    path = Path(path_text).resolve()
    if not path.is_file():
        raise SystemExit(f"npgrad: no such file: {path_text}")
    sys.path.insert(0, str(path.parent))
    module_name = f"_npgrad_cli_{path.stem}"
    mod_spec = importlib.util.spec_from_file_location(module_name, path)
    assert mod_spec is not None and mod_spec.loader is not None
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[module_name] = module
    mod_spec.loader.exec_module(module)
    obj: Any = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            raise SystemExit(f"npgrad: {path_text} has no {qualname!r}")
        obj = getattr(obj, part)
    return obj.primal if isinstance(obj, Transformed) else obj


def _wrt(values: list[str] | None) -> Any:
    if not values:
        return 0
    parsed: list[int | str] = [int(v) if v.isdigit() else v for v in values]
    return parsed[0] if len(parsed) == 1 else tuple(parsed)


def _transform(args: argparse.Namespace) -> Any:
    func = load(args.target)
    if args.primal:
        return retarget(func, args.backend)
    if args.mode == "forward":  # the JVP of the first --wrt argument's tangents
        wrt = _wrt(args.wrt)
        wrt = wrt if isinstance(wrt, tuple) else (wrt,)
        return Transformed(func, "jvp", wrt, args.backend, not args.no_optimize)
    make = value_and_grad if getattr(args, "value_and_grad", False) else grad
    return make(func, wrt=_wrt(args.wrt), backend=args.backend, optimize=not args.no_optimize)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npgrad", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("dump", "print the generated module"),
        ("check", "transform without printing; exit 1 on error"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("target", metavar="FILE:FUNC")
        p.add_argument("--wrt", nargs="+", metavar="NAME", help="parameters (names or indices)")
        p.add_argument(
            "--mode",
            choices=["reverse", "forward"],
            default="reverse",
            help="reverse: the gradient (or VJP); forward: the JVP, tangents for --wrt",
        )
        p.add_argument(
            "--backend", default="numpy", help="numpy, cupy, dask, or an Array API module"
        )
        p.add_argument("--primal", action="store_true", help="the function itself, retargeted")
        p.add_argument("--no-optimize", action="store_true", help="keep every statement")
        p.add_argument("--value-and-grad", action="store_true", help="also return the value")
    p = sub.add_parser("rules", help="list the functions npgrad differentiates")
    p.add_argument("--markdown", action="store_true", help="the table README shows")
    args = parser.parse_args(argv)

    if args.command == "rules" and args.markdown:
        sys.stdout.write(rules_markdown())
        return 0
    if args.command == "rules":
        for row in rules():
            print(
                f"{row['name']:<28} {row['kind']:<12} reverse: {row['reverse']:<16} "
                f"forward: {row['forward']}"
            )
        return 0
    try:
        transformed = _transform(args)
        text = transformed.source
    except (TransformError, ValueError) as exc:
        print(f"npgrad: error: {exc}", file=sys.stderr)
        return 1
    if args.command == "dump":
        sys.stdout.write(text)
    else:
        print(f"ok: {args.target} transforms ({len(text.splitlines())} lines generated)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
