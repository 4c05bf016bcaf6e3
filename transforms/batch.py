"""batch: the JVP (or the VJP) again, each tangent (adjoint) with a leading batch axis of
length k, so that `npgrad.jacobian` gets k columns (rows) from one call.

    def jvp_f(x, A, *, tx):                  def jvp_batched_f(x, A, *, tx):   # tx: (k, n)
        _mul1 = x[:, None] * A                   _mul1 = x[:, None] * A
        t_mul1 = tx[:, None] * A       ->        t_mul1 = tx[:, :, None] * A
        f = np.sum(_mul1, axis=0)                f = np.sum(_mul1, axis=0)
        tf = np.sum(t_mul1, axis=0)              tf = np.sum(t_mul1, axis=1)
        return (f, tf)                           return (f, tf)

NumPy broadcasting aligns shapes on the right, so a batched tangent mixes with values that
are not batched (the primal values) only once it has the result's number of dimensions:
`tx * A` with tx (k, n) and A (m, n) is wrong (and silently so when k == m), `tx[:, None, :]
* A` is right. The pass therefore knows the number of dimensions (`rank`, in the unbatched
program) of every value: arguments from the call (`unit.arg_shapes`: npgrad generates one
variant per ndim of the arrays), every other value from its expression, names by a fixed
point over the statements (a name's rank is the one all its assignments agree on), as
transforms/shapeinfer.py does for shapes. A global array or number is read live: the code
checks its rank when it runs (`rt.batch_ndim`). A value is batched when it reads a tangent
(the JVP's tangent parameters, the VJP's `npgrad_cotangent`) or is a zero tangent
forward.py wrote (`np.zeros_like(y)`, marked `ZERO_TANGENT`); primal values never read
tangents, so they, the branches' conditions, the loops and the tape stay as they are.

Each batched operation is rewritten exactly (batchcalls.py, batchaxes.py, batchproducts.py
for calls): elementwise operations expand batched operands to the result's rank plus one;
axes >= 0 move by one, `axis=None` becomes every axis but the batch axis; `@` with 1-D
operands is written out; indexing becomes `t[:, idx]`, or `rt.batch_getitem(t, idx)` (the
batch axis moved last, runtime/batch.py) when the index may hold arrays; a write `a[i] = v`
into a batched array becomes `a = rt.batch_setitem(a, i, v)`; a NumPy or runtime function
with no vectorized form runs once per seed (`rt.batch_map`). Anything else that reads a
tangent, or a rank that is needed and unknown, raises NotBatchable when the code is
generated: `npgrad.jacobian` then runs one JVP or VJP per seed. Never a guess.
"""

from __future__ import annotations

import ast
import builtins
import copy
import re
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import numpy as np

from .forward import ZERO_TANGENT
from .reverse import is_comment
from .unit import RESOLVED, Unit


class NotBatchable(Exception):
    """The JVP or VJP has a statement this pass cannot batch exactly (npgrad.jacobian then
    runs it once per seed)."""


@dataclass(frozen=True)
class Val:
    """What the pass knows of a value: its number of dimensions in the unbatched program
    (None: unknown), whether it carries the batch axis, and its kind: "array" (numbers
    too), "int" (a Python int), "shape" (a tuple of ints; rank is its length), "list" (rank
    and batched describe the elements), "empty" (a new empty list), "tuple" (a function's
    results, `parts`), "none", "other"."""

    rank: int | None = None
    batched: bool = False
    kind: str = "array"
    boolean: bool = False  # an array of booleans (a comparison): how it indexes
    parts: tuple[Val, ...] | None = None  # of a "tuple" (np.linalg.eigh's result)


OTHER = Val(None, False, "other")
SCALAR = Val(0)
INT = Val(0, kind="int")
NONE = Val(None, kind="none")


def join(a: Val, b: Val) -> Val:
    """The value of a name that holds `a` at some times and `b` at others."""
    if a == b:
        return a
    if a.kind == "empty" and b.kind in ("list", "empty"):
        return b
    if b.kind == "empty" and a.kind == "list":
        return a
    kind = a.kind if a.kind == b.kind else "other"
    rank = a.rank if a.rank == b.rank else None
    return Val(rank, a.batched or b.batched, kind, a.boolean and b.boolean)


def expand(node: ast.expr, have: int, want: int) -> ast.expr:
    """A batched value of unbatched rank `have` given `want` dimensions after its batch
    axis: `t[:, None, None]` (new axes right after the batch axis)."""
    if want == have:
        return node
    parts = [ast.Slice(), *(ast.Constant(None) for _ in range(want - have))]
    return ast.Subscript(node, ast.Tuple(parts, ast.Load()), ast.Load())


class _Unassigned(Exception):
    """A local name read before the fixed point reached an assignment of it."""


class Batcher:
    """Rewrites the body of the generated JVP or VJP `unit.generated` (in place)."""

    def __init__(self, unit: Unit) -> None:
        from .batchcalls import Calls

        self.unit = unit
        self.fdef = unit.generated
        self.env: dict[str, Val] = {}
        self.strict = False  # the fixed point: refusals wait for the final, strict pass
        self.changed = False
        self.nbatch: str | None = None
        self.mapped: list[str] = []  # functions batched by one call per seed
        self.calls = Calls(self)
        self.locals = _stored(self.fdef)
        self.guards: dict[str, int] = {}  # global arrays -> the ndim the code assumes
        self.tape = _tape_name(self.fdef)  # transforms/tape.py's stack of forward values

    # ----- what the rules use -------------------------------------------------------

    def refuse(self, why: str, node: ast.AST | None = None) -> NoReturn:
        where = ""
        if node is not None:
            try:
                where = f" in `{ast.unparse(node)}`"
            except AttributeError:  # a statement written without a position
                where = f" in a {type(node).__name__} statement"
        raise NotBatchable(why + where)

    def np_(self, *path: str) -> ast.expr:
        node: ast.expr = ast.Name(self.unit.np, ast.Load())
        for part in path:
            node = ast.Attribute(node, part, ast.Load())
        return node

    def rt_(self, name: str) -> ast.expr:
        return ast.Attribute(ast.Name(self.unit.rt, ast.Load()), name, ast.Load())

    def k(self) -> ast.Name:
        """The batch size, read once at the top of the function."""
        if self.nbatch is None:
            self.nbatch = self.unit.names.fresh("nbatch")
        return ast.Name(self.nbatch, ast.Load())

    def batched(self, node: ast.AST) -> bool:
        """Does the expression read a tangent (or is a zero tangent)?"""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                val = self.env.get(sub.id)
                if val is not None and val.batched:
                    return True
            elif getattr(sub, ZERO_TANGENT, False):
                return True
        return False

    # ----- statements -----------------------------------------------------------------

    def run(self, tangents: list[str]) -> None:
        """Batch the function; `tangents` are the parameters that carry the batch axis."""
        self.env = self._params(tangents)
        for _ in range(4 * len(self.locals) + 8):
            self.changed = False
            self.block(self.fdef.body, rewrite=False)
            if not self.changed:
                break
        else:
            self.refuse("the ranks of the values do not settle")
        self.strict = True
        self.fdef.body = self.block(self.fdef.body, rewrite=True)
        for name, ndim in sorted(self.guards.items(), reverse=True):
            check = [ast.Name(name, ast.Load()), ast.Constant(ndim)]
            self.fdef.body.insert(0, ast.Expr(ast.Call(self.rt_("batch_ndim"), check, [])))
        if self.nbatch is not None:
            first = ast.Name(tangents[0], ast.Load())
            size = ast.Subscript(ast.Call(self.np_("shape"), [first], []), ast.Constant(0))
            self.fdef.body.insert(0, ast.Assign([ast.Name(self.nbatch, ast.Store())], size))

    def _params(self, tangents: list[str]) -> dict[str, Val]:
        args = self.fdef.args
        env: dict[str, Val] = {}
        plain = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        for a in (args.vararg, args.kwarg):
            if a is not None:
                env[a.arg] = OTHER
        wrt = dict(zip(tangents, self.unit.wrt_names, strict=self.unit.kind == "jvp"))
        if self.unit.kind == "vjp":
            wrt = {}
        for name in plain:
            if name in tangents:
                continue
            shape = self.unit.arg_shapes.get(name)
            if args.vararg is not None and name in {a.arg for a in args.kwonlyargs}:
                shape = None  # the API keys positions by name: *args may shift them
            if shape is not None and len(shape[1]) == shape[0]:
                env[name] = Val(shape[0])
            elif name in self.unit.wrt_names:
                env[name] = SCALAR  # a float (the API checks), not an array
            else:
                env[name] = OTHER
        for t, w in wrt.items():
            env[t] = replace(env.get(w, OTHER), batched=True)
        if self.unit.kind == "vjp":  # the output's cotangents (rt.cotangent gives the rank)
            env[tangents[0]] = Val(None, True)
        return env

    def assign(self, name: str, val: Val) -> None:
        old = self.env.get(name)
        new = val if old is None else join(old, val)
        if new != old:
            self.env[name] = new
            self.changed = True

    def value(self, node: ast.expr) -> tuple[ast.expr, Val]:
        """The rewritten expression and its Val (a refusal passes up to the statement)."""
        return self.expr(node)

    def block(self, body: list[ast.stmt], rewrite: bool) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            try:
                out.append(self.statement(stmt, rewrite))
            except _Unassigned:
                if self.strict:
                    self.refuse("a name is read before it is assigned", stmt)
                out.append(stmt)
            except NotBatchable:  # the strict pass decides, with the final ranks
                if self.strict:
                    raise
                batched = self.batched(stmt)
                for name in _stored(stmt) | _written(stmt):
                    old = self.env.get(name)
                    if old is None or batched and not old.batched:
                        self.assign(name, Val(None, batched, "other"))
                out.append(stmt)
        return out

    def statement(self, stmt: ast.stmt, rewrite: bool) -> ast.stmt:
        if isinstance(stmt, ast.If | ast.While):
            if self.batched(stmt.test):
                self.refuse("a condition reads a tangent", stmt.test)
            new = copy.copy(stmt)
            new.body = self.block(stmt.body, rewrite)
            new.orelse = self.block(stmt.orelse, rewrite)
            return new
        if isinstance(stmt, ast.For):
            return self.loop(stmt, rewrite)
        if isinstance(stmt, ast.Assign | ast.AugAssign) and isinstance(
            stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, ast.Subscript
        ):
            return self.write(stmt, rewrite)
        if isinstance(stmt, ast.Assign):
            return self.assignment(stmt, rewrite)
        if isinstance(stmt, ast.Expr):
            return self.expression_statement(stmt)
        if isinstance(stmt, ast.Return):
            return self.returned(stmt) if rewrite else stmt
        if isinstance(stmt, ast.Pass) or is_comment(stmt):
            return stmt
        if self.batched(stmt):
            self.refuse(f"a {type(stmt).__name__} statement reads a tangent", stmt)
        for name in _stored(stmt):
            self.assign(name, OTHER)
        return stmt

    def loop(self, stmt: ast.For, rewrite: bool) -> ast.stmt:
        if self.batched(stmt.iter):
            self.refuse("a loop runs over a tangent", stmt.iter)
        counted = _is_range(stmt.iter, self.locals) and isinstance(stmt.target, ast.Name)
        for name in _stored_in(stmt.target):
            self.assign(name, INT if counted else OTHER)
        new = copy.copy(stmt)
        new.body = self.block(stmt.body, rewrite)
        new.orelse = self.block(stmt.orelse, rewrite)
        return new

    def assignment(self, stmt: ast.Assign, rewrite: bool) -> ast.stmt:
        target = stmt.targets[0]
        if self.tape is not None and _pop_of(stmt, self.tape) is not None:
            # names get back values they held before: what the env knows already holds
            for name in _stored(stmt):
                if name not in self.env:
                    self.assign(name, OTHER)
            return stmt
        if len(stmt.targets) != 1 or not isinstance(target, ast.Name):
            if self.batched(stmt):
                self.refuse("a tangent is assigned to something other than a name", stmt)
            for name in _stored(stmt):
                self.assign(name, OTHER)
            return stmt
        node, val = self.value(stmt.value)
        if not rewrite:
            self.assign(target.id, val)
            return stmt
        want = self.env[target.id]
        if want.batched and not val.batched and val.kind != "empty":
            if val.kind != "array":
                self.refuse("a name holds a tangent on some paths only", stmt)
            node = self.broadcast(node)  # the same tangent for every seed
        elif val.batched and not want.batched:
            self.refuse("a name holds a tangent on some paths only", stmt)
        new = ast.Assign([target], node)
        return ast.copy_location(new, stmt)

    def write(self, stmt: ast.Assign | ast.AugAssign, rewrite: bool) -> ast.stmt:
        """`a[idx] = v`, `a[idx] += v` into a batched array (or of a batched value): `a =
        rt.batch_setitem(a, idx, v)`, a new array for the name (the reverse sweep writes
        in place only into arrays no other name holds)."""
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        assert isinstance(target, ast.Subscript)
        if not self.batched(stmt):
            for name in _stored(stmt):
                self.assign(name, self.env.get(name, OTHER))
            return stmt
        base = target.value
        if not isinstance(base, ast.Name) or len(getattr(stmt, "targets", [1])) != 1:
            self.refuse("a write of a tangent into something other than a named array", stmt)
        _, old = self.value(base)
        node, val = self.value(stmt.value)
        if self.batched(target.slice) or old.kind != "array":
            self.refuse("a write of a tangent into something other than an array", stmt)
        if not rewrite:
            self.assign(base.id, replace(old, batched=True))
            return stmt
        if isinstance(stmt, ast.AugAssign):
            slot = self.calls.getitem(target, base, self.env[base.id])
            nodes, _ = self.calls.elementwise([slot, (node, val)], stmt)
            node, val = ast.BinOp(nodes[0], stmt.op, nodes[1]), replace(val, batched=True)
        if not val.batched:
            node = self.broadcast(node)
        index = target.slice
        if any(isinstance(n, ast.Slice) for n in ast.walk(index)):
            index = ast.Subscript(self.np_("s_"), index, ast.Load())
        call = ast.Call(self.rt_("batch_setitem"), [base, index, node], [])
        return ast.copy_location(ast.Assign([ast.Name(base.id, ast.Store())], call), stmt)

    def broadcast(self, node: ast.expr) -> ast.expr:
        """A value that is the same for every seed, with the batch axis (zeros written as
        `np.zeros_like(y)`: new zeros, which may be written into)."""
        if (
            isinstance(node, ast.Call)
            and self.calls.callee(node.func) is np.zeros_like
            and len(node.args) == 1
            and not node.keywords
        ):
            return ast.Call(self.rt_("batch_zeros"), [node.args[0], self.k()], [])
        return ast.Call(self.rt_("batch_broadcast"), [node, self.k()], [])

    def expression_statement(self, stmt: ast.Expr) -> ast.stmt:
        """`ths.append(th)`, `ths.extend(tgs)`: the list's elements; other statements
        (the user's side effects) must not read tangents."""
        call = stmt.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.attr in ("append", "extend")
            and len(call.args) == 1
            and not call.keywords
        ):
            owner = call.func.value.id
            if owner == self.tape:
                if self.batched(call):
                    self.refuse("a tangent on the tape", stmt)
                return stmt
            node, val = self.value(call.args[0])
            if call.func.attr == "append":
                element = val
            elif val.kind in ("list", "empty"):
                element = replace(val, kind="array")
            else:
                element = Val(None, val.batched, "other")
            old = self.env.get(owner)
            if old is None or old.kind not in ("list", "empty"):
                if element.batched or self.strict and self.batched(stmt):
                    self.refuse("a tangent is added to something that is not a list", stmt)
                return stmt
            if old.kind == "list" and old.batched != element.batched and self.strict:
                self.refuse("a list holds tangents and other values", stmt)
            if val.kind == "empty":
                return stmt
            self.assign(owner, Val(element.rank, element.batched, "list", element.boolean))
            new = copy.copy(call)
            new.args = [node]
            return ast.copy_location(ast.Expr(new), stmt)
        at = self.accumulation(stmt)
        if at is not None:
            return at
        if self.batched(stmt):
            self.refuse("a statement reads a tangent", stmt)
        return stmt

    def accumulation(self, stmt: ast.Expr) -> ast.stmt | None:
        """`np.add.at(d, idx, g)` into a batched array: `d = rt.batch_add_at(d, idx, g)`."""
        call = stmt.value
        if not (isinstance(call, ast.Call) and self.batched(call) and len(call.args) == 3):
            return None
        func = self.calls.callee(call.func)
        base = call.args[0]
        if func not in (np.add.at, np.subtract.at) or not isinstance(base, ast.Name):
            return None
        if call.keywords or self.batched(call.args[1]):
            return None
        _, old = self.value(base)
        node, val = self.value(call.args[2])
        if not self.strict:
            self.assign(base.id, replace(old, batched=True))
            return stmt
        args = [base, call.args[1], node if val.batched else self.broadcast(node)]
        if func == np.subtract.at:
            args.append(ast.Constant(True))
        new = ast.Assign(
            [ast.Name(base.id, ast.Store())], ast.Call(self.rt_("batch_add_at"), args, [])
        )
        return ast.copy_location(new, stmt)

    def returned(self, stmt: ast.Return) -> ast.stmt:
        value = stmt.value
        if self.unit.kind == "vjp":  # a tuple of gradients, each batched
            if not isinstance(value, ast.Tuple):
                self.refuse("the VJP returns something other than a tuple of gradients", stmt)
            elts = []
            for elt in value.elts:
                node, val = self.expr(elt)
                if val.kind not in ("array", "int", "other"):
                    self.refuse("a gradient that is not an array", stmt)
                elts.append(node if val.batched else self.broadcast(node))
            return ast.copy_location(ast.Return(ast.Tuple(elts, ast.Load())), stmt)
        if not (isinstance(value, ast.Tuple) and len(value.elts) == 2):
            self.refuse("the JVP returns something other than (value, tangent)", stmt)
        primal, tangent = value.elts
        if self.batched(primal):
            self.refuse("the returned value reads a tangent", stmt)
        node, val = self.expr(tangent)
        if val.kind not in ("array", "int", "other") or val.kind == "other" and not val.batched:
            self.refuse("the returned tangent is not an array", stmt)
        if not val.batched:
            node = self.broadcast(node)
        new = ast.Return(ast.Tuple([primal, node], ast.Load()))
        return ast.copy_location(new, stmt)

    # ----- expressions ------------------------------------------------------------------

    def expr(self, node: ast.expr) -> tuple[ast.expr, Val]:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            if self.batched(node):
                self.refuse(f"{type(node).__name__} on a tangent", node)
            return node, OTHER
        return method(node)  # type: ignore[no-any-return]

    def _Name(self, node: ast.Name) -> tuple[ast.expr, Val]:
        val = self.env.get(node.id)
        if val is not None:
            return node, val
        if node.id in self.locals:
            raise _Unassigned(node.id)
        obj = getattr(node, RESOLVED, self.unit.env.get(node.id))
        if type(obj) is np.ndarray:  # a global array, read live: checked when the code runs
            self.guards[node.id] = obj.ndim
            return node, Val(obj.ndim)
        val = _global(obj)
        if val.rank == 0:  # a global number: the same check
            self.guards[node.id] = 0
        return node, val

    def _Constant(self, node: ast.Constant) -> tuple[ast.expr, Val]:
        value = node.value
        if isinstance(value, bool):
            return node, Val(0, boolean=True)
        if isinstance(value, int):
            return node, INT
        if isinstance(value, float | complex):
            return node, SCALAR
        if value is None:
            return node, NONE
        return node, OTHER

    def _sequence(self, node: ast.Tuple | ast.List) -> tuple[ast.expr, Val]:
        items = [self.expr(e) for e in node.elts]
        if any(isinstance(e, ast.Starred) for e in node.elts):
            if any(v.batched for _, v in items):
                self.refuse("a starred tangent", node)
            return node, OTHER
        if not items:
            return node, Val(None, False, "empty" if isinstance(node, ast.List) else "shape")
        if isinstance(node, ast.Tuple) and all(v.kind == "int" for _, v in items):
            return node, Val(len(items), kind="shape")
        batched = [v.batched for _, v in items]
        pairs = zip(batched, items, strict=True)
        if any(batched) and not all(b or v.kind == "none" for b, (_, v) in pairs):
            self.refuse("a sequence of tangents and other values", node)  # None: a zero
        if any(batched):
            items = [i for i in items if i[1].batched]
        element = items[0][1]
        for _, v in items[1:]:
            element = join(element, v)
        new = type(node)([self.expr(e)[0] for e in node.elts], ast.Load()) if any(batched) else node
        return new, Val(element.rank, element.batched, "list", element.boolean)

    def _Tuple(self, node: ast.Tuple) -> tuple[ast.expr, Val]:
        return self._sequence(node)

    def _List(self, node: ast.List) -> tuple[ast.expr, Val]:
        return self._sequence(node)

    def _BinOp(self, node: ast.BinOp) -> tuple[ast.expr, Val]:
        if isinstance(node.op, ast.MatMult):
            return self.calls.matmul(node, node.left, node.right)
        left, lval = self.expr(node.left)
        right, rval = self.expr(node.right)
        if not (lval.batched or rval.batched):
            if lval.kind == rval.kind == "int" and not isinstance(node.op, ast.Div):
                return node, INT
            if lval.kind == rval.kind == "shape" and isinstance(node.op, ast.Add):
                both = None if lval.rank is None or rval.rank is None else lval.rank + rval.rank
                return node, Val(both, kind="shape")
        operands = [(left, lval), (right, rval)]
        items, val = self.calls.elementwise(operands, node)
        new = ast.BinOp(items[0], node.op, items[1])
        return (new if val.batched else node), val

    def _UnaryOp(self, node: ast.UnaryOp) -> tuple[ast.expr, Val]:
        operand, val = self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            if val.batched:
                self.refuse("`not` of a tangent", node)
            return node, OTHER
        if val.kind == "int":
            return node, INT
        items, out = self.calls.elementwise([(operand, val)], node)
        return (ast.UnaryOp(node.op, items[0]) if out.batched else node), out

    def _Compare(self, node: ast.Compare) -> tuple[ast.expr, Val]:
        elementwise = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
        if len(node.ops) != 1 or not isinstance(node.ops[0], elementwise):
            if self.batched(node):
                self.refuse("a comparison of a tangent", node)
            return node, OTHER
        operands = [self.expr(node.left), self.expr(node.comparators[0])]
        items, val = self.calls.elementwise(operands, node)
        new = ast.Compare(items[0], node.ops, [items[1]])
        return (new if val.batched else node), replace(val, boolean=True)

    def _BoolOp(self, node: ast.BoolOp) -> tuple[ast.expr, Val]:
        if self.batched(node):
            self.refuse("`and`/`or` of a tangent", node)
        return node, OTHER

    def _IfExp(self, node: ast.IfExp) -> tuple[ast.expr, Val]:
        if self.batched(node.test):
            self.refuse("a choice on a tangent", node)
        body, bval = self.expr(node.body)
        orelse, oval = self.expr(node.orelse)
        if bval.batched != oval.batched:
            self.refuse("a choice between a tangent and another value", node)
        if not bval.batched:
            return node, join(bval, oval)
        return ast.IfExp(node.test, body, orelse), join(bval, oval)

    def _Attribute(self, node: ast.Attribute) -> tuple[ast.expr, Val]:
        chain = self.calls.module_attr(node)
        if chain is not None:
            return node, _global(chain)
        value, val = self.expr(node.value)
        attr = node.attr
        if attr in ("T", "real", "imag"):
            out = Val(val.rank) if val.kind == "array" else OTHER
            if not val.batched:
                return node, out
            if val.kind != "array":
                self.refuse(f"`.{attr}` of a tangent that is not an array", node)
            if attr == "T":
                return self.calls.transpose_all(value, val, node)
            return ast.Attribute(value, attr, ast.Load()), replace(out, batched=True)
        if attr == "shape":
            out = Val(val.rank if val.kind == "array" else None, kind="shape")
            if not val.batched:
                return node, out
            shape = ast.Attribute(value, "shape", ast.Load())
            return ast.Subscript(shape, ast.Slice(ast.Constant(1)), ast.Load()), out
        if attr == "ndim":
            if not val.batched:
                return node, INT
            return ast.BinOp(
                ast.Attribute(value, "ndim", ast.Load()), ast.Sub(), ast.Constant(1)
            ), INT
        if attr == "dtype":
            return (ast.Attribute(value, "dtype", ast.Load()) if val.batched else node), OTHER
        if val.batched:
            self.refuse(f"`.{attr}` of a tangent", node)
        return node, OTHER

    def _Subscript(self, node: ast.Subscript) -> tuple[ast.expr, Val]:
        if self.batched(node.slice):
            self.refuse("a tangent used as an index", node)
        value, val = self.expr(node.value)
        if val.kind in ("list", "empty"):
            index = self.expr(node.slice)[1]
            if isinstance(node.slice, ast.Slice):
                return (ast.Subscript(value, node.slice, ast.Load()), val)
            if index.kind != "int":
                if val.batched:
                    self.refuse("a list of tangents indexed by something other than an int", node)
                return node, OTHER
            new = ast.Subscript(value, node.slice, ast.Load()) if val.batched else node
            return new, Val(val.rank, val.batched, "array", val.boolean)
        if val.kind == "tuple" and val.parts is not None and not val.batched:
            index = node.slice
            if isinstance(index, ast.Constant) and type(index.value) is int:
                if -len(val.parts) <= index.value < len(val.parts):
                    return node, val.parts[index.value]
            return node, OTHER
        if val.kind == "shape":
            if isinstance(node.slice, ast.Slice):
                return node, _sliced_shape(val, node.slice)
            return node, INT if self.expr(node.slice)[1].kind == "int" else OTHER
        if val.kind != "array":
            if val.batched:
                self.refuse("an index into a tangent that is not an array", node)
            return node, OTHER
        return self.calls.getitem(node, value, val)

    def _Call(self, node: ast.Call) -> tuple[ast.expr, Val]:
        return self.calls.call(node)


# ----- helpers ------------------------------------------------------------------------------


def _global(obj: Any) -> Val:
    """A name resolved at transform time: numbers have rank 0; anything else is unknown
    (a global array is read live and may change)."""
    if isinstance(obj, bool | np.bool_):
        return Val(0, boolean=True)
    if isinstance(obj, int | np.integer):
        return INT
    if isinstance(obj, float | complex | np.floating | np.complexfloating):
        return SCALAR
    if obj is None:
        return NONE
    return OTHER


def _sliced_shape(val: Val, part: ast.Slice) -> Val:
    """`shape[1:]`, `shape[:-1]`: a shape of known length when the bounds are constants."""
    bounds = [p for p in (part.lower, part.upper, part.step)]
    if val.rank is None or not all(b is None or isinstance(b, ast.Constant) for b in bounds):
        return Val(None, kind="shape")
    values = [None if b is None else b.value for b in bounds]  # type: ignore[attr-defined]
    if not all(v is None or type(v) is int for v in values):
        return Val(None, kind="shape")
    return Val(len(range(val.rank)[slice(*values)]), kind="shape")


def _names_of(node: ast.expr, rt: str | None = None) -> tuple[str, ...] | None:
    """The names of `a`, `(a, b)`, `rt.shell(a)`: what a tape push or pop moves."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    found = []
    for part in parts:
        if isinstance(part, ast.Call) and len(part.args) == 1 and not part.keywords:
            func = part.func
            if isinstance(func, ast.Attribute) and func.attr == "shell":
                part = part.args[0]
        if not isinstance(part, ast.Name):
            return None
        found.append(part.id)
    return tuple(found)


def _pop_of(stmt: ast.stmt, tape: str) -> tuple[str, ...] | None:
    """`a, b = tape.pop()`: the names it sets."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    value = stmt.value
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "pop"
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == tape
        and not value.args
    ):
        return None
    return _names_of(stmt.targets[0])


def _tape_name(fdef: ast.FunctionDef) -> str | None:
    """The tape that transforms/tape.py made (`tape = []` first; only pushes and pops, each
    pop setting names one push saved): a pop gives names values they held before."""
    first = fdef.body[0] if fdef.body else None
    if not (
        isinstance(first, ast.Assign)
        and isinstance(first.targets[0], ast.Name)
        and isinstance(first.value, ast.List)
        and not first.value.elts
        and re.fullmatch(r"tape(_\d+)?", first.targets[0].id)
    ):
        return None
    tape = first.targets[0].id
    pushes, pops, uses = set(), [], 0
    for node in ast.walk(fdef):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr == "append":
                if isinstance(func.value, ast.Name) and func.value.id == tape:
                    pushes.add(_names_of(node.value.args[0]) if len(node.value.args) == 1 else None)
                    uses += 1
        elif isinstance(node, ast.stmt) and (names := _pop_of(node, tape)) is not None:
            pops.append(names)
            uses += 1
    loads = sum(isinstance(n, ast.Name) and n.id == tape for n in ast.walk(fdef)) - 1
    if None in pushes or uses != loads or not set(pops) <= pushes:
        return None
    return tape


def _is_range(node: ast.expr, local: set[str]) -> bool:
    """`range(...)` or `reversed(range(...))`: a loop over Python ints."""
    if not (isinstance(node, ast.Call) and len(node.args) >= 1):
        return False
    func = node.func
    obj = getattr(func, RESOLVED, None)
    if obj is None and isinstance(func, ast.Name) and func.id not in local:
        obj = getattr(builtins, func.id, None)
    if obj is reversed and len(node.args) == 1:
        return _is_range(node.args[0], local)
    return obj is range


def _written(stmt: ast.stmt) -> set[str]:
    """The array a statement writes into: `a` of `a[i] = v`, `a[i] += v`."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    return {
        t.value.id
        for t in targets
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
    }


def _stored_in(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _stored(node: ast.AST) -> set[str]:
    found = {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    if isinstance(node, ast.FunctionDef):
        args = node.args
        found |= {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    return found


def batch(unit: Unit) -> Unit:
    """Give every tangent of the JVP (kind "jvp" -> "jvp_batched") or every adjoint of the
    VJP ("vjp" -> "vjp_batched") a leading batch axis, or raise NotBatchable."""
    if unit.backend != "numpy":
        raise NotBatchable(f"batched code is generated for NumPy only, not {unit.backend}")
    if unit.wrt_static:
        raise NotBatchable("a container argument")
    fdef = unit.generated
    kwonly = [a.arg for a in fdef.args.kwonlyargs]
    if unit.kind == "vjp":
        sources = [kwonly[-1]]  # npgrad_cotangent
    else:
        sources = kwonly[len(kwonly) - len(unit.wrt_names) :]
    Batcher(unit).run(sources)
    prefix = "vjp_" if unit.kind == "vjp" else "jvp_"
    fdef.name = fdef.name.replace(prefix, prefix + "batched_", 1)
    unit.kind += "_batched"
    return unit
