"""normalize: one operation per statement, each name assigned once.

    p = 1 / (1 + np.exp(-X @ w))          _matmul1 = X @ w
    h = np.tanh(h)                  ->    _neg2 = -_matmul1
    return -np.mean(p)                    _exp3 = np.exp(_neg2)
                                          _add4 = 1 + _exp3
                                          p = 1 / _add4
                                          h_1 = np.tanh(h)
                                          _mean5 = np.mean(p)
                                          loss = -_mean5
                                          return loss

Operands become names or literals; a reassigned name gets a new version (`h_1`), so every
value the reverse sweep reads is still there when it reads it. Expressions npgrad does not
split (conditional expressions, comprehensions, lambdas) stay whole, as one operation.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from npgrad.errors import NonScalarOutputError, TransformError, UnsupportedSyntaxError

from .blocks import PHI
from .calls import can_inline, inlined
from .comprehensions import ComprehensionLowering, scope_bound
from .inline import const_value
from .loops import LoopLowering
from .recursion import recursive_rule
from .unit import INLINE_ERROR, RESOLVED, SOURCE, SOURCE_LINE, Unit
from .writes import WriteLowering, check_writes, written_names

_BINOP = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "pow",
    ast.MatMult: "matmul",
    ast.BitAnd: "and",
    ast.BitOr: "or",
    ast.BitXor: "xor",
    ast.LShift: "lshift",
    ast.RShift: "rshift",
}
_UNARY = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not", ast.Invert: "invert"}
_OPAQUE = (
    ast.BoolOp,
    ast.IfExp,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Dict,
    ast.Set,
    ast.JoinedStr,
    ast.NamedExpr,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.FormattedValue,
)
_UNSUPPORTED = {
    ast.Try: "`try` statements",
    ast.With: "`with` statements",
    ast.FunctionDef: "nested function definitions",
    ast.ClassDef: "class definitions",
    ast.Global: "`global` declarations",
    ast.Nonlocal: "`nonlocal` declarations",
    ast.Delete: "`del` statements",
    ast.Raise: "`raise` statements",
    ast.Import: "imports inside the function",
    ast.ImportFrom: "imports inside the function",
    ast.Match: "`match` statements",
    ast.AsyncFor: "`async for`",
    ast.AsyncWith: "`async with`",
    ast.TryStar: "`try` statements",
}


def is_atom(node: ast.expr) -> bool:
    """A name, a literal, or a constant resolved at transform time (np.pi, np.newaxis)."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    return hasattr(node, RESOLVED)


def op_hint(node: ast.expr) -> str:
    """A short name for the operation, used for its temporary: `exp`, `matmul`, `T`."""
    if isinstance(node, ast.BinOp):
        return _BINOP.get(type(node.op), "binop")
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)]
    if isinstance(node, ast.Call):
        f = node.func
        return (
            f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else "call"
        )
    if isinstance(node, ast.Subscript):
        return "getitem"
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Compare):
        return "cmp"
    return type(node).__name__.lower()


class _Normalizer(LoopLowering, ComprehensionLowering, WriteLowering):
    def __init__(self, unit: Unit):
        self.unit = unit
        self.out: list[ast.stmt] = []
        self.version: dict[str, str] = {p: p for p in unit.params}
        self.line = 0
        self.inlining: list[Any] = [unit.func]  # the function and the helpers being inlined
        self.defs: dict[str, ast.expr] = {}  # a name's first definition
        self.loop_indices: set[str] = set()  # loops.py: versions used as a loop's index

    # ----- expressions -------------------------------------------------------------

    def emit(self, target: str, value: ast.expr, like: ast.AST) -> None:
        self.defs.setdefault(target, value)
        stmt = ast.Assign([ast.Name(target, ast.Store())], value)
        ast.copy_location(stmt, like)
        setattr(stmt, SOURCE_LINE, self.line)
        if hasattr(like, SOURCE):
            setattr(stmt, SOURCE, getattr(like, SOURCE))
        self.out.append(stmt)

    def atom(self, node: ast.expr) -> ast.expr:
        """`node` as a name or literal, emitting the statements that compute it."""
        if _is_signed_number(node):
            return ast.copy_location(ast.Constant(const_value(node)), node)
        if isinstance(node, ast.Name):
            return self.load(node)
        if is_atom(node):
            return node
        if isinstance(node, ast.Tuple | ast.List):
            node.elts = [self.atom(e) for e in node.elts]
            return node
        if isinstance(node, ast.Starred):
            node.value = self.atom(node.value)
            return node
        if isinstance(node, ast.Slice):
            for f in ("lower", "upper", "step"):
                if getattr(node, f) is not None:
                    setattr(node, f, self.atom(getattr(node, f)))
            return node
        if self.lowers(node):  # a list comprehension, built by append (comprehensions.py)
            return self.comprehension(node)  # type: ignore[arg-type]
        value = self.op(node)
        name = self.unit.names.temp(op_hint(value))
        self.emit(name, value, node)
        return ast.copy_location(ast.Name(name, ast.Load()), node)

    def load(self, node: ast.Name) -> ast.Name:
        if node.id in self.version:
            return ast.copy_location(ast.Name(self.version[node.id], ast.Load()), node)
        return node

    def op(self, node: ast.expr) -> ast.expr:
        """`node` as one operation whose operands are atoms."""
        if is_atom(node) or isinstance(node, ast.Tuple | ast.List):
            return self.atom(node)
        if isinstance(node, ast.BinOp):
            node = _hoist_negation(node)
            if isinstance(node, ast.UnaryOp):
                return self.op(node)
            node.left, node.right = self.atom(node.left), self.atom(node.right)
        elif isinstance(node, ast.UnaryOp):
            node.operand = self.atom(node.operand)
        elif isinstance(node, ast.Compare):
            node.left = self.atom(node.left)
            node.comparators = [self.atom(c) for c in node.comparators]
        elif isinstance(node, ast.Call):
            written = self.out_argument(node)  # `np.exp(x, out=buf)` (transforms/writes.py)
            if written is not None:
                return written
            callee = _generated(getattr(node.func, RESOLVED, None))
            if can_inline(callee) and not _has_rule(callee):
                inlined_result = self.inline(node, callee)
                if inlined_result is not None:
                    return inlined_result
            if not hasattr(node.func, RESOLVED):
                if isinstance(node.func, ast.Attribute):
                    node.func.value = self.atom(node.func.value)
                elif isinstance(node.func, ast.Name):
                    node.func = self.load(node.func)
                else:
                    node.func = self.atom(node.func)
            node.args = [self.atom(a) for a in node.args]
            for kw in node.keywords:
                kw.value = self.atom(kw.value)
        elif isinstance(node, ast.Attribute):
            node.value = self.atom(node.value)
        elif isinstance(node, ast.Subscript):
            node.value = self.atom(node.value)
            node.slice = self.atom(node.slice)
            k = node.slice.value if isinstance(node.slice, ast.Constant) else None
            if isinstance(node.value, ast.Tuple | ast.List) and type(k) is int:
                if -len(node.value.elts) <= k < len(node.value.elts):
                    return self.op(node.value.elts[k])  # `(x, y)[0]` is `x`
        elif isinstance(node, ast.IfExp):  # `a if c else b`: a branch, so only one side runs
            name = self.unit.names.temp("choice")
            branches = [
                [ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], side), side)]
                for side in (node.body, node.orelse)
            ]
            self.if_stmt(node.test, branches[0], branches[1], node)
            return ast.copy_location(ast.Name(self.version[name], ast.Load()), node)
        elif self.lowers(node):
            return self.comprehension(node)  # type: ignore[arg-type]
        elif isinstance(node, _OPAQUE):
            node = _RenameLoads(self.version).visit(node)
        else:
            self.unit.error(
                UnsupportedSyntaxError, f"npgrad does not handle {type(node).__name__} here", node
            )
        return node

    # ----- statements --------------------------------------------------------------

    def store(self, name: str) -> str:
        """The version name for a new assignment to `name`."""
        new = name if name not in self.version else self.unit.names.fresh(name)
        self.version[name] = new
        self.unit.origin[new] = name
        return new

    def stmt(self, s: ast.stmt) -> None:
        self.line = s.lineno
        if isinstance(s, ast.Assign):
            if self.comprehension_assign(s):
                return
            value = self.op(s.value)
            if len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                self.emit(self.store(s.targets[0].id), value, s)
                return
            value_name = self.atom(value) if len(s.targets) > 1 else value
            for target in s.targets:
                self.assign_target(target, value_name, s)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.stmt(ast.copy_location(ast.Assign([s.target], s.value), s))
        elif isinstance(s, ast.AugAssign):
            self.aug_assign(s)
        elif isinstance(s, ast.Return):
            value = s.value if s.value is not None else ast.Constant(None)
            if self.returned_tuple(value, s):
                return
            if isinstance(value, ast.Tuple | ast.List):
                what = "grad needs a function that returns a scalar"
                if self.unit.kind in ("vjp", "vjp_split"):
                    what = "reverse mode (vjp, jacobian) needs a function that returns one array"
                self.unit.error(
                    NonScalarOutputError,
                    f"`{self.unit.name}` returns a {type(value).__name__.lower()}; {what}",
                    value,
                    "return one scalar (np.sum, np.mean, a norm) or array (npgrad.jacobian, "
                    "npgrad.vjp); forward mode (npgrad.jvp) takes a final `return a, b`",
                )
            if not is_atom(value):  # name the result after the function: `loss = ...`
                name = self.unit.names.fresh(
                    self.unit.name if self.unit.name.isidentifier() else "out"
                )
                self.emit(name, self.op(value), s)
                value = ast.copy_location(ast.Name(name, ast.Load()), s)
            value = self.atom(value)
            ret = ast.copy_location(ast.Return(value), s)
            setattr(ret, SOURCE_LINE, self.line)
            self.out.append(ret)
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant):  # docstrings and bare literals
                return
            if self.write_call(s.value, s):  # `np.add.at(a, i, v)`, `a.fill(0)`, ...
                return
            value = self.op(s.value)
            if isinstance(value, ast.Name | ast.Constant):
                return  # an inlined helper's result, unused
            expr = ast.copy_location(ast.Expr(value), s)
            setattr(expr, SOURCE_LINE, self.line)
            self.out.append(expr)
        elif isinstance(s, ast.Assert):
            s = _RenameLoads(self.version).visit(s)
            setattr(s, SOURCE_LINE, self.line)
            self.out.append(s)
        elif isinstance(s, ast.Pass):
            return
        elif isinstance(s, ast.If):
            self.if_stmt(s.test, s.body, s.orelse, s)
        elif isinstance(s, ast.For):
            self.for_stmt(s)
        elif isinstance(s, ast.While):
            self.while_stmt(s)
        elif isinstance(s, ast.Break | ast.Continue):
            word = "break" if isinstance(s, ast.Break) else "continue"
            self.unit.error(
                UnsupportedSyntaxError,
                f"`{word}` is not supported yet",
                s,
                "put the exit test in a `while` condition, or the skipped part under an `if`",
            )
        else:
            what = _UNSUPPORTED.get(type(s), type(s).__name__)
            self.unit.error(
                UnsupportedSyntaxError,
                f"{what} are not supported yet",
                s,
                "compute the value without this statement, or move it outside the "
                "differentiated function",
            )

    def returned_tuple(self, value: ast.expr, s: ast.Return) -> bool:
        """Forward mode: `return a, b * c` -> `return (a, _mul2)`, one tangent per part."""
        if self.unit.kind != "jvp" or not isinstance(value, ast.Tuple) or not value.elts:
            return False
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return False
        parts = []
        for k, elt in enumerate(value.elts):
            if not is_atom(elt):
                name = self.unit.names.fresh(f"{self.unit.name}_{k}")
                self.emit(name, self.op(elt), s)
                elt = ast.copy_location(ast.Name(name, ast.Load()), elt)
            parts.append(self.atom(elt))
        ret = ast.copy_location(ast.Return(ast.Tuple(parts, ast.Load())), s)
        setattr(ret, SOURCE_LINE, self.line)
        self.out.append(ret)
        return True

    # ----- calls to the user's functions ---------------------------------------------

    def inline(self, node: ast.Call, callee: Any) -> ast.expr | None:
        """The callee's body, normalized in place of the call; its result as an atom.
        None (the call stays a call) when it cannot be inlined: the reason is kept on the
        node and reported if a differentiated value flows through the call."""
        if callee in self.inlining:  # recursion: the call stays, differentiated by a VJP
            recursive_rule(callee, self.unit, node)
            node.args = [self.atom(a) for a in node.args]
            for kw in node.keywords:
                kw.value = self.atom(kw.value)
            return None
        node.args = [self.atom(a) for a in node.args]
        for kw in node.keywords:
            kw.value = self.atom(kw.value)
        saved = self.out, dict(self.version), self.line
        self.out = []
        self.inlining.append(callee)
        try:
            bindings, body, returned = inlined(callee, self.unit, node)
            for name, value in bindings:
                self.emit(self.store(name), value, node)
            for stmt in body:
                self.stmt(stmt)
            self.line = getattr(returned, "lineno", self.line)
            result = self.op(returned)  # the caller assigns it: `p = 1 / _add4`
        except TransformError as exc:
            self.out, self.version, self.line = saved
            setattr(node, INLINE_ERROR, exc)
            return None
        finally:
            self.inlining.pop()
        emitted, self.out = self.out, saved[0]
        src = getattr(returned, SOURCE, None)
        for st in emitted[len(bindings) :]:
            for sub in ast.walk(st):
                if isinstance(sub, ast.stmt) and not hasattr(sub, SOURCE) and src is not None:
                    setattr(sub, SOURCE, src)  # its `# grad of:` comment quotes the helper
        self.out.extend(emitted)
        self.line = saved[2]
        return result

    # ----- control flow --------------------------------------------------------------

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """Normalize a nested block; its statements are returned, not emitted."""
        saved, self.out = self.out, []
        for s in stmts:
            if isinstance(s, ast.Return):
                self.unit.error(
                    UnsupportedSyntaxError,
                    "`return` inside `if`, `for` or `while` is not supported yet",
                    s,
                    "assign the value to a name in each branch and return it at the end",
                )
            self.stmt(s)
        block, self.out = self.out, saved
        return block

    def copy(self, target: str, source: str, like: ast.AST) -> ast.Assign:
        """`x_2 = x_1`: a block's version of a name handed to the code after it."""
        self.defs.setdefault(target, ast.Name(source, ast.Load()))
        stmt = ast.copy_location(
            ast.Assign([ast.Name(target, ast.Store())], ast.Name(source, ast.Load())), like
        )
        setattr(stmt, SOURCE_LINE, self.line)
        setattr(stmt, PHI, True)
        return stmt

    def unset(self, target: str, like: ast.AST) -> ast.Assign:
        """`x = None` where a block leaves `x` unset, so every path defines it."""
        stmt = ast.copy_location(
            ast.Assign([ast.Name(target, ast.Store())], ast.Constant(None)), like
        )
        setattr(stmt, SOURCE_LINE, self.line)
        setattr(stmt, PHI, True)
        return stmt

    def if_stmt(
        self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt], s: ast.AST
    ) -> None:
        """`if c: x = a else: x = b` -> each branch ends by copying its version of every
        name it assigned into one merged version (`x_2 = x_1`), which later code reads."""
        cond = self.atom(test)
        line = self.line
        before = dict(self.version)
        then_block = self.block(body)
        after_then, self.version = self.version, dict(before)
        else_block = self.block(orelse)
        after_else = self.version
        self.line = line
        merged: dict[str, str] = {}
        for name in sorted(set(after_then) | set(after_else)):
            a, b = after_then.get(name), after_else.get(name)
            if a == b:
                if a is not None:
                    merged[name] = a
                continue
            m = self.unit.names.fresh(name)
            self.unit.origin[m] = self.unit.origin.get(name, name)
            # a name one branch leaves unset is None there: defined on every path
            then_block.append(self.copy(m, a, s) if a is not None else self.unset(m, s))
            else_block.append(self.copy(m, b, s) if b is not None else self.unset(m, s))
            merged[name] = m
        self.version = merged
        node = ast.copy_location(ast.If(cond, then_block or [ast.Pass()], else_block), s)
        setattr(node, SOURCE_LINE, line)
        self.out.append(node)

    def loop_carried(self, body: list[ast.stmt], s: ast.AST) -> dict[str, str]:
        """Names the loop body assigns get one loop version each (`h_1`), set before the
        loop from the current version and at the end of every iteration from the body's."""
        assigned = sorted(
            {
                n.id
                for st in body
                for n in ast.walk(st)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }  # fmt: skip
            | written_names(body)  # `a[i] = v` makes a new version of `a` (writes.py)
        )
        carried = {}
        for name in assigned:
            loop_name = self.unit.names.fresh(name)
            self.unit.origin[loop_name] = self.unit.origin.get(name, name)
            if name in self.version:
                self.out.append(self.copy(loop_name, self.version[name], s))
            else:  # first set inside the loop: None until then, so the tape can save it
                self.out.append(self.unset(loop_name, s))
            carried[name] = loop_name
            self.version[name] = loop_name
        return carried

    def close_loop(self, body: list[ast.stmt], carried: dict[str, str], s: ast.AST) -> None:
        for name, loop_name in carried.items():
            if self.version.get(name, loop_name) != loop_name:
                body.append(self.copy(loop_name, self.version[name], s))
            self.version[name] = loop_name

    def assign_target(self, target: ast.expr, value: ast.expr, s: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.emit(self.store(target.id), value, s)
        elif isinstance(target, ast.Tuple | ast.List) and _unpacks(target, value):
            for sub_target, sub_value in zip(target.elts, value.elts, strict=True):  # type: ignore[attr-defined]
                self.assign_target(sub_target, sub_value, s)
        elif isinstance(
            target, ast.Tuple | ast.List
        ):  # `a, b = f(x)`: `_f1 = f(x); a = _f1[0]; ...`
            if any(isinstance(e, ast.Starred) for e in target.elts):
                self.unit.error(
                    UnsupportedSyntaxError,
                    "starred unpacking (`a, *rest = ...`) is not supported yet",
                    target,
                    "index the parts you need: `a = t[0]`, `rest = t[1:]`",
                )
            whole = self.atom(value)
            for k, elt in enumerate(target.elts):
                part = ast.Subscript(copy.deepcopy(whole), ast.Constant(k), ast.Load())
                self.assign_target(elt, ast.copy_location(part, elt), s)
        elif isinstance(target, ast.Subscript) and self.write_subscript(target, value, s):
            return  # `a[idx] = v`: a new version of `a` (transforms/writes.py)
        elif isinstance(target, ast.Subscript | ast.Attribute):
            target.value = self.atom(target.value)
            if isinstance(target, ast.Subscript):
                target.slice = self.atom(target.slice)
            stmt = ast.copy_location(ast.Assign([target], self.atom(value)), s)
            setattr(stmt, SOURCE_LINE, self.line)
            self.out.append(stmt)
        else:
            self.unit.error(UnsupportedSyntaxError, "unsupported assignment target", target)

    def _fresh(self, target: ast.Name) -> bool:
        """Does `target` hold a value this function made by arithmetic, shared by no name?"""
        current = self.version.get(target.id)
        defined_by = self.defs.get(current) if current else None
        while isinstance(defined_by, ast.Name) and defined_by.id in self.defs:  # loop versions
            defined_by = self.defs[defined_by.id]
        return _makes_fresh_value(defined_by) and not self._aliased_since(current)

    def _aliased_since(self, name: str | None) -> bool:
        """Could another name share `name`'s memory (`t = s`, `v = s[:2]`, `s.reshape(..)`,
        a call that may keep a reference)? Arithmetic on `s` makes new arrays."""
        from .ops import classify, is_pure, may_alias, names_in

        for st in self.out:
            value = getattr(st, "value", None)
            if value is None or name not in names_in(value):
                continue
            if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                if may_alias(classify(value)):
                    return True
            elif isinstance(st, ast.Assign):
                return True  # unpacked, or written into another array
            elif isinstance(value, ast.Call) and not is_pure(value):
                return True  # e.g. `parts.append(s)`
        return False

    def aug_assign(self, s: ast.AugAssign) -> None:
        """`y += z` becomes `y_1 = y + z` when `y` holds a value made inside this function
        by arithmetic (so no other name sees the in-place change); otherwise a write of the
        whole array, `y_1 = rt.setitem(y, ..., y + z)` (transforms/writes.py)."""
        if self.list_extend(s):  # `hs += [a]` on a list made here (comprehensions.py)
            return
        if self.aug_subscript(s):  # `a[idx] += v`
            return
        target = s.target
        if isinstance(target, ast.Name) and self.writable(target) and not self._fresh(target):
            return self.aug_whole(s)
        if not isinstance(target, ast.Name):
            self.unit.error(
                UnsupportedSyntaxError,
                "augmented assignment to a subscript or attribute is not supported yet",
                s,
                "write the update out, e.g. `a = a + v` on a whole array",
            )
        current = self.version.get(target.id)
        defined_by = self.defs.get(current) if current else None
        while isinstance(defined_by, ast.Name) and defined_by.id in self.defs:  # loop versions
            defined_by = self.defs[defined_by.id]
        if not _makes_fresh_value(defined_by) or self._aliased_since(current):
            self.unit.error(
                UnsupportedSyntaxError,
                f"`{target.id} {_AUG_TEXT.get(type(s.op), '?=')} ...` updates `{target.id}` in "
                "place, which may also change other names that share its memory "
                "(an argument, a slice or a reshape of another array)",
                s,
                f"write `{target.id} = {target.id} {_AUG_TEXT.get(type(s.op), '?=')[:-1]} ...` "
                "to make a new value",
            )
        binop = ast.copy_location(ast.BinOp(ast.Name(target.id, ast.Load()), s.op, s.value), s)
        self.stmt(ast.copy_location(ast.Assign([ast.Name(target.id, ast.Store())], binop), s))


_AUG_TEXT = {
    ast.Add: "+=",
    ast.Sub: "-=",
    ast.Mult: "*=",
    ast.Div: "/=",
    ast.Pow: "**=",
    ast.MatMult: "@=",
    ast.FloorDiv: "//=",
    ast.Mod: "%=",
}


def _generated(callee: Any) -> Any:
    """A gradient npgrad made (`force = npgrad.grad(energy)`, called inside the function):
    its generated code, the variant for any argument shapes, inlined like a helper."""
    from npgrad.api import Transformed

    if isinstance(callee, Transformed):
        return callee.compiled_for(None).function
    return callee


def _has_rule(func: Any) -> bool:
    """A function with a rule of its own (npgrad.defvjp, defjvp) is called, not inlined."""
    from .rules import FORWARD_ONLY, VJPS

    return func in VJPS or func in FORWARD_ONLY


def _is_signed_number(node: ast.expr) -> bool:
    """`-1`, `+2.5`: a literal, not an operation."""
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    )


def _unpacks(target: ast.Tuple | ast.List, value: ast.expr) -> bool:
    """`a, b = x, y`: a literal of the same length, element by element."""
    return (
        isinstance(value, ast.Tuple | ast.List)
        and len(value.elts) == len(target.elts)
        and not any(isinstance(e, ast.Starred) for e in [*target.elts, *value.elts])
    )


def _hoist_negation(node: ast.BinOp) -> ast.expr:
    """`-X @ w` -> `-(X @ w)`: exact (negation commutes with every rounding), and it negates
    a vector instead of the matrix, in the forward and the reverse sweep."""
    if isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if isinstance(operand, ast.UnaryOp) and isinstance(operand.op, ast.USub):
                setattr(node, side, operand.operand)
                return ast.copy_location(ast.UnaryOp(ast.USub(), node), node)
    return node


def _makes_fresh_value(value: ast.expr | None) -> bool:
    """True for values that own their memory: literals and arithmetic results."""
    if value is None:
        return False
    if isinstance(value, ast.Constant):
        return True
    return isinstance(value, ast.BinOp | ast.UnaryOp)


class _RenameLoads(ast.NodeTransformer):
    """Point loads inside a whole expression at the current versions, leaving names bound
    by a lambda or comprehension inside it alone."""

    def __init__(self, version: dict[str, str]):
        self.version = version

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if isinstance(node.ctx, ast.Load) and node.id in self.version:
            return ast.copy_location(ast.Name(self.version[node.id], ast.Load()), node)
        return node

    def _scoped(self, node: ast.AST) -> ast.AST:
        bound = scope_bound(node)
        inner = _RenameLoads({k: v for k, v in self.version.items() if k not in bound})
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                setattr(node, field, inner.visit(value))
            elif isinstance(value, list):
                setattr(
                    node, field, [inner.visit(v) if isinstance(v, ast.AST) else v for v in value]
                )
        return node

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = _scoped
    visit_GeneratorExp = _scoped


def normalize(unit: Unit) -> Unit:
    """Split expressions into one operation per statement and version reassigned names."""
    assert unit.tree is not None
    norm = _Normalizer(unit)
    body = unit.tree.body
    for i, s in enumerate(body):
        norm.stmt(s)
        if isinstance(s, ast.Return):
            if i != len(body) - 1:
                unit.error(
                    UnsupportedSyntaxError,
                    "statements after `return` are never run",
                    body[i + 1],
                    "remove the unreachable statements",
                )
            break
    else:
        unit.error(
            UnsupportedSyntaxError,
            f"`{unit.name}` does not end with a `return` of the value to differentiate",
            body[-1] if body else unit.tree,
            "return the scalar whose gradient you want",
        )
    ret = norm.out[-1]
    assert isinstance(ret, ast.Return)
    unit.body = norm.out
    check_writes(unit)  # no write may be seen through another name (transforms/writes.py)
    unit.result = ret.value.id if isinstance(ret.value, ast.Name) else ""
    if isinstance(ret.value, ast.Tuple):  # forward mode's tuple (returned_tuple)
        unit.results = [e.id for e in ret.value.elts if isinstance(e, ast.Name)]
    return unit
