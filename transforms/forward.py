"""forward: write the forward-mode (JVP) function, each statement followed by its tangent.

    def f(x, W):                        def jvp_f(x, W, *, tx):
        h = np.tanh(W @ x)                  _matmul1 = W @ x
        return np.sum(h * h)        ->      t_matmul1 = W @ tx
                                            h = np.tanh(_matmul1)
                                            th = t_matmul1 * (1 - h * h)
                                            _mul2 = h * h
                                            t_mul2 = th * h + h * th
                                            f = np.sum(_mul2)
                                            tf = np.sum(t_mul2)
                                            return f, tf

(before optimize puts single-use temporaries back). The tangent of `x` is `tx`, of a
temporary `_exp3` it is `t_exp3`; the tangents of the `wrt` arguments are keyword-only
parameters (`tparams` for a container argument, whose leaves' tangents are read from it in
the same structure). Only active values (activity.py: they depend on `wrt` and reach the
result) have tangents; every other value is a symbolic zero and costs nothing. Each active
operation's tangent is its JVP rule (transforms/rules/table.py, `JVPS`) inlined with the
operands' tangents, `None` for zeros, folded at transform time. An assignment of a value
that does not vary to an active name (a branch that sets a constant, a loop version's
initial value) gives a zero tangent, `np.zeros_like(y)`, so the tangent exists on every
path. Control flow stays as it is: no tape is needed. Lists built at run time get a tangent
list kept in step (`ths.append(th)`); a write into an array (`a_1 = rt.setitem(a, i, v)`,
transforms/writes.py) writes the tangents the same way (`ta_1 = rt.setitem(ta, i, tv)`).

A recursive call's tangent is the function's own generated JVP along each varying argument
(`rt.jvp_call`, transforms/recursion.py). Functions with only a reverse-mode rule (user
rules from `npgrad.defvjp`) are refused at transform time, at the call.
"""

from __future__ import annotations

import ast
import copy
import functools
import sys
import types

from npgrad.errors import NoDerivativeError, UnsupportedSyntaxError

from .activity import OP, target_name
from .containers import Static
from .inline import NOT_NONE, instantiate
from .lists import LIST_USE, method_call
from .ops import SEQUENCE_LITERALS, Op, names_in
from .recursion import RECURSIVE, recursive_jvp
from .resolve import attr_chain, canonical_path
from .rules import DIAGONAL, USER_JVPS, JVPRule, jvp_rule, special
from .rules.table import PART
from .unit import Unit


def _name(id_: str) -> ast.Name:
    return ast.Name(id_, ast.Load())


def _store(id_: str) -> ast.Name:
    return ast.Name(id_, ast.Store())


ZERO = "npgrad_zero"  # on the `None` that stands for an operand's zero tangent
ZERO_TANGENT = "npgrad_zero_tangent"  # on `np.zeros_like(y)` written as a zero tangent


def _is_zero(node: ast.AST | None) -> bool:
    """A symbolic zero: the `None` standing for a zero tangent (not a `None` argument)."""
    return isinstance(node, ast.Constant) and node.value is None and getattr(node, ZERO, False)


def _is_none(node: ast.AST | None) -> bool:
    """A zero, or a template's own `None` (a part of a tuple result with no tangent)."""
    return isinstance(node, ast.Constant) and node.value is None


def _zero() -> ast.Constant:
    node = ast.Constant(None)
    setattr(node, ZERO, True)
    return node


class _Zeros(ast.NodeTransformer):
    """Fold symbolic zeros (`None`) out of an inlined tangent expression:
    `None * b` -> None, `a + None` -> a, `None - b` -> -b, `np.sum(None, axis)` -> None.
    (A call folds only for a zero tangent, see visit_Call.)"""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        left, right = _is_zero(node.left), _is_zero(node.right)
        if not (left or right):
            return node
        if isinstance(node.op, ast.Add):
            return node.right if left else node.left
        if isinstance(node.op, ast.Sub):
            return ast.UnaryOp(ast.USub(), node.right) if left and not right else node.left
        if isinstance(node.op, ast.Mult | ast.MatMult) or left:
            return _zero()  # a product with a zero; a zero divided by anything
        raise AssertionError(f"a JVP rule divides by a zero tangent: {ast.unparse(node)}")

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        return _zero() if _is_zero(node.body) and _is_zero(node.orelse) else node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        return node.operand if _is_zero(node.operand) else node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        """A call with a zero tangent among its arguments is zero: rules apply functions
        linear in one tangent to it (`np.sum(ta, axis)`, `np.dot(a, tb)`). A `None` the
        template or the call wrote itself (`axis=None`) is not a tangent."""
        node = self.generic_visit(node)  # type: ignore[assignment]
        values = [*node.args, *(kw.value for kw in node.keywords)]
        return _zero() if any(getattr(v, ZERO, False) for v in values) else node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        return node.value if _is_zero(node.value) else node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        return node.value if _is_zero(node.value) else node


def fold_zeros(expr: ast.expr) -> ast.expr:
    return _Zeros().visit(expr)  # type: ignore[no-any-return]


class _Forward:
    """Builds the body of the JVP function, block by block."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.tangents: dict[str, str] = {}  # primal name -> its tangent's name
        self.parts: dict[str, list[str]] = {}  # a tuple result -> its parts' tangents

    # ----- names ------------------------------------------------------------------

    def t(self, primal: str) -> str:
        """The tangent's name: `tx` for `x`, `t_exp3` for `_exp3`."""
        if primal not in self.tangents:
            name = self.unit.names.fresh("t" + primal)
            if primal in self.unit.names.temps:
                self.unit.names.temps.add(name)
            self.tangents[primal] = name
        return self.tangents[primal]

    def np_(self, attr: str) -> ast.expr:
        return ast.Attribute(_name(self.unit.np), attr, ast.Load())

    def zeros(self, like: ast.expr) -> ast.expr:
        node = ast.Call(self.np_("zeros_like"), [copy.deepcopy(like)], [])
        setattr(node, ZERO_TANGENT, True)  # a tangent (batched by transforms/batch.py)
        return node

    def tangent_of(self, node: ast.expr) -> ast.expr:
        """The tangent of an operand: its tangent's name, or None (a zero)."""
        if isinstance(node, ast.Name) and node.id in self.unit.active:
            tangent = _name(self.t(node.id))
            setattr(tangent, NOT_NONE, True)  # a rule's `tx is None` folds to False
            return tangent
        return _zero()

    def dense(self, node: ast.expr) -> ast.expr:
        """The tangent of an operand as a value: zeros where it does not vary."""
        tangent = self.tangent_of(node)
        return self.zeros(node) if _is_zero(tangent) else tangent

    # ----- blocks -----------------------------------------------------------------

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.If):
                new = copy.copy(stmt)
                new.body = self.block(stmt.body) or [ast.Pass()]
                new.orelse = self.block(stmt.orelse)
                out.append(new)
            elif isinstance(stmt, ast.For | ast.While):
                new = copy.copy(stmt)
                new.body = self.block(stmt.body) or [ast.Pass()]
                new.orelse = self.block(stmt.orelse)
                out.append(new)
            elif isinstance(stmt, ast.Return):
                out.append(stmt)
            else:
                out += self.statement(stmt)
        return out

    def statement(self, stmt: ast.stmt) -> list[ast.stmt]:
        """The statement, then its tangent statement (if it writes an active value)."""
        target = target_name(stmt)
        if target is None:
            return [stmt, *self.list_change(stmt)]
        if target not in self.unit.active or target in self.unit.inputs:
            return [stmt]  # a constant, or a container argument's leaf (read at the top)
        op: Op = getattr(stmt, OP)
        if target in names_in(stmt.value):  # type: ignore[attr-defined]
            # the tangent reads the operands as they were: compute into a temporary first
            temp = self.unit.names.temp("ans")
            first = ast.copy_location(ast.Assign([_store(temp)], stmt.value), stmt)  # type: ignore[attr-defined]
            tangent = self.tangent_expr(op, temp, stmt)
            last = ast.Assign([_store(target)], _name(temp))
            return [first, self.assign(target, tangent, _name(temp)), last]
        tangent = self.tangent_expr(op, target, stmt)
        if isinstance(tangent, ast.Tuple) and op.kind == "rule":  # a tuple result's parts:
            names = [
                self.unit.names.fresh(f"{self.t(target)}_{k}") for k in range(len(tangent.elts))
            ]
            self.unit.names.temps.update(names)  # each its own name, so unused ones are dropped
            self.parts[target] = names
            return [
                stmt,
                *(ast.Assign([_store(n)], e) for n, e in zip(names, tangent.elts, strict=True)),
            ]
        return [stmt, self.assign(target, tangent, _name(target))]

    def assign(self, target: str, tangent: ast.expr, like: ast.expr) -> ast.stmt:
        if _is_zero(tangent):
            tangent = self.zeros(like)
        return ast.Assign([_store(self.t(target))], tangent)

    def tangent_expr(self, op: Op, target: str, stmt: ast.stmt) -> ast.expr:
        if op.kind == "copy":
            return self.tangent_of(op.args[0])
        if op.kind == "getitem":
            base, idx = op.args
            if isinstance(base, ast.Name) and base.id in self.parts:  # `w = _eigh1[0]`
                return _name(self.parts[base.id][idx.value])  # type: ignore[attr-defined]
            tangent = self.tangent_of(base)
            if _is_zero(tangent):
                return tangent
            return ast.Subscript(tangent, copy.deepcopy(idx), ast.Load())
        if op.kind == "rule":
            return self.rule(op, target)
        if op.kind == "list" and isinstance(op.node, ast.Call) and op.node.args:
            return copy.deepcopy(op.node)  # `rt.GradList(n)`: its entries are zeros (None)
        if op.kind == "list":  # `hs = [a, b]`: the tangent list, zeros for constants
            return ast.List([self.dense(e) for e in op.args], ast.Load())
        if op.kind == "pop":  # `hs.pop()`, a GradList's `d.at_or_zeros(k, like)`...
            call = op.node
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            return self.list_call(op.args[0], call.func.attr, copy.deepcopy(call.args))
        if op.kind == "write":  # `a_1 = rt.setitem(a, idx, v)`: linear in a and v together
            base, value = op.args[0], op.args[2]
            if not (names_in(base) | names_in(value)) & self.unit.active:
                return _zero()
            memo = {id(base): self.dense(base), id(value): self.dense(value)}
            return copy.deepcopy(op.node, memo)  # type: ignore[arg-type]
        if op.kind == "nondiff":
            return _zero()
        self.unit.error(  # activity refuses these first; kept so nothing passes silently
            UnsupportedSyntaxError,
            "forward mode cannot differentiate this statement",
            stmt,
        )

    # ----- lists built at run time (transforms/lists.py) --------------------------------

    def list_call(self, owner: ast.expr, method: str, args: list[ast.expr]) -> ast.expr:
        tangent = self.tangent_of(owner)
        if _is_zero(tangent):
            return tangent
        return ast.Call(ast.Attribute(tangent, method, ast.Load()), args, [])

    def list_change(self, stmt: ast.stmt) -> list[ast.stmt]:
        """`hs.append(h)` -> `ths.append(th)`; `hs.extend(gs)` -> `ths.extend(tgs)`; a
        GradList's `d.add_to(i, v)` -> `td.add_to(i, tv)` (nothing if v does not vary)."""
        found = method_call(stmt)
        if found is None or not hasattr(stmt, LIST_USE) or found[0] not in self.unit.active:
            return []
        receiver, method, call = found
        if method == "append" and _is_none(call.args[0]):
            args = [ast.Constant(None)]  # a GradList's zero entry
        elif method == "append":
            args = [self.dense(call.args[0])]
        elif method == "pop" and not call.args:
            args = []
        elif method in ("add_parts", "add_to"):
            tangent = self.tangent_of(call.args[-1])
            if _is_zero(tangent):
                return []
            args = [*copy.deepcopy(call.args[:-1]), tangent]
        elif method == "extend" and isinstance(call.args[0], ast.Name):
            other = call.args[0]
            tangent = self.tangent_of(other)
            if _is_zero(tangent):
                v = self.unit.names.fresh("_v")
                tangent = ast.ListComp(
                    self.zeros(_name(v)),
                    [ast.comprehension(_store(v), copy.deepcopy(other), [], 0)],
                )
            args = [tangent]
        elif method == "extend" and isinstance(call.args[0], ast.List):  # `hs += [a, b]`
            args = [ast.List([self.dense(e) for e in call.args[0].elts], ast.Load())]
        else:
            self.unit.error(
                UnsupportedSyntaxError,
                f"forward mode does not follow `.{method}(...)` on a list of differentiated values",
                stmt,
                "build the list with append, or stack the values into an array",
            )
        return [ast.Expr(self.list_call(_name(receiver), method, args))]

    # ----- rules ------------------------------------------------------------------

    def rule(self, op: Op, target: str) -> ast.expr:
        jrule = self.jvp_rule(op)
        assert op.rule is not None
        rule = op.rule
        env: dict[str, ast.expr] = {**op.bound, "ans": _name(target)}
        env |= {"np": _name(self.unit.np), "rt": _name(self.unit.rt)}
        if jrule is None:
            return self.diagonal(op, target, env)
        if _is_linear(jrule.output):
            return self.linear(op, jrule)
        env |= {n: _bind_free(self.unit, n, obj) for n, obj in jrule.free_objects.items()}
        for param, tparam in jrule.tangents.items():
            node = op.bound.get(param)
            env[tparam] = _zero() if node is None else self.operand(op, param, node)
        tangent = fold_zeros(instantiate(jrule.output, env))
        if rule.results and isinstance(tangent, ast.Tuple):  # one tangent per part
            parts = [
                ast.Subscript(_name(target), ast.Constant(k), ast.Load())
                for k in range(len(tangent.elts))
            ]
            tangent.elts = [
                self.zeros(part) if _is_none(e) else self.broadcast(e, op, part)
                for e, part in zip(tangent.elts, parts, strict=True)
            ]
            return tangent
        return tangent if _is_zero(tangent) else self.broadcast(tangent, op, _name(target))

    def broadcast(self, tangent: ast.expr, op: Op, like: ast.expr) -> ast.expr:
        """An elementwise rule's tangent, broadcast to the result's shape if some operand
        that shapes the result does not appear in it (`tx1` alone for `x1 + x2`)."""
        assert op.rule is not None
        broadcasts = op.rule.broadcasts or op.func in USER_JVPS  # a user's rule: be safe
        if not broadcasts or self.covers(tangent, op):
            return tangent
        shape = ast.Call(self.np_("shape"), [like], [])
        return ast.Call(self.np_("broadcast_to"), [tangent, shape], [])

    def diagonal(self, op: Op, target: str, env: dict[str, ast.expr]) -> ast.expr:
        """A rule declared `diagonal` (table.py): the sum over operands of its reverse rule
        with `g` replaced by the operand's tangent."""
        rule = op.rule
        assert rule is not None and not rule.results
        env = env | {n: _bind_free(self.unit, n, obj) for n, obj in rule.free_objects.items()}
        terms = []
        for param, node in op.bound.items():
            template = rule.output_for(param)
            if template is None:
                continue
            parts = [(None, node)]
            if param == rule.sequence and isinstance(node, SEQUENCE_LITERALS):
                parts = list(enumerate(node.elts))  # type: ignore[arg-type]
            for index, elt in parts:
                tangent = self.tangent_of(elt)
                if not _is_zero(tangent):
                    bound = env | {"g": tangent, PART: ast.Constant(index)}
                    terms.append(fold_zeros(instantiate(template, bound)))
        terms = [t for t in terms if not _is_zero(t)]
        if not terms:
            return _zero()
        total = functools.reduce(lambda a, b: ast.BinOp(a, ast.Add(), b), terms)
        return self.broadcast(total, op, _name(target))

    def linear(self, op: Op, jrule: JVPRule) -> ast.expr:
        """`linear(ta, tb)`: the user's call with `a` and `b` replaced by their tangents
        (zeros for one that does not vary); a zero if neither varies."""
        call = jrule.output
        assert isinstance(call, ast.Call) and op.rule is not None
        params = [a.id[1:] for a in call.args]  # type: ignore[attr-defined]
        memo: dict[int, ast.expr] = {}
        for param in params:
            node = op.bound.get(param)
            if node is None:
                continue
            if param == op.rule.sequence and isinstance(node, SEQUENCE_LITERALS):
                for leaf in _leaves(node):
                    memo[id(leaf)] = self.dense(leaf)
            else:
                memo[id(node)] = self.dense(node)
        if not any(names_in(op.bound.get(p)) & self.unit.active for p in params):
            return _zero()
        return copy.deepcopy(op.node, memo)  # type: ignore[arg-type]

    def covers(self, tangent: ast.expr, op: Op) -> bool:
        """Does an elementwise tangent already have the result's shape? It does when every
        operand that could broadcast (a name, not a known scalar) or its tangent is in it."""
        used = names_in(tangent)
        for node in op.bound.values():
            if not isinstance(node, ast.Name) or node.id in self.unit.scalars:
                continue
            if isinstance(getattr(node, "npgrad_obj", None), int | float):
                continue
            if node.id not in used and self.tangents.get(node.id) not in used:
                return False
        return True

    def operand(self, op: Op, param: str, node: ast.expr) -> ast.expr:
        """The tangent bound to a rule's tangent parameter: a name's tangent, or for a
        sequence parameter the list of its elements' tangents (zeros for constants)."""
        assert op.rule is not None
        if isinstance(node, SEQUENCE_LITERALS) and param == op.rule.sequence:
            if not names_in(node) & self.unit.active:
                return _zero()
            return self.sequence(node)
        return self.tangent_of(node)

    def sequence(self, node: ast.expr) -> ast.expr:
        if isinstance(node, SEQUENCE_LITERALS):
            elts = [self.sequence(e) for e in node.elts]
            return type(node)(elts, ast.Load())
        return self.dense(node)

    def jvp_rule(self, op: Op) -> JVPRule | None:
        """The forward-mode rule of an active operation (None: derived from its reverse
        rule, declared `diagonal`), or a located error."""
        func = op.func
        found = jvp_rule(func)
        if found is None and "scipy" in sys.modules:
            special.load()  # the user has SciPy loaded: its rules join the table now
            found = jvp_rule(func)
        if found is None and op.rule is not None and op.rule.template in DIAGONAL:
            return None
        if found is None and isinstance(func, types.FunctionType) and func in RECURSIVE:
            found = recursive_jvp(func, self.unit, op.node)
        if found is None:
            self.unit.error(
                NoDerivativeError,
                f"npgrad has no forward-mode rule for `{op.label}`, and a differentiated "
                "value flows through it",
                op.node,
                "use reverse mode (npgrad.grad, npgrad.vjp) for this function",
            )
        assert op.rule is not None
        vjp_params = list(op.rule.signature.parameters)
        assert list(found.signature.parameters) == vjp_params, (found.template, vjp_params)
        missing = [
            p for p in vjp_params if op.rule.output_for(p) is not None and p not in found.tangents
        ]
        assert not missing, f"JVP rule {found.template.__name__} lacks tangents {missing}"
        return found


def _is_linear(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id == "linear"
        and all(isinstance(a, ast.Name) for a in expr.args)
    )


def _leaves(node: ast.expr) -> list[ast.expr]:
    """The elements of a (nested) list or tuple literal."""
    if isinstance(node, SEQUENCE_LITERALS):
        return [leaf for e in node.elts for leaf in _leaves(e)]
    return [node]


def _bind_free(unit: Unit, name: str, obj: object) -> ast.expr:
    """A name a rule uses: NumPy's under `np`, others bound in the closure (as reverse.py)."""
    path = canonical_path(obj) if callable(obj) or isinstance(obj, types.ModuleType) else None
    if path is not None:
        return attr_chain(unit.np, path)
    for cell_name, value in unit.cells.items():
        if value is obj:
            return _name(cell_name)
    cell_name = unit.names.fresh(name)
    unit.cells[cell_name] = obj
    return _name(cell_name)


def _leaf_reads(s: Static, path: ast.expr, sweep: _Forward) -> list[ast.stmt]:
    """`tparams_W = tparams['W']` for each leaf of a container argument (a namedtuple's
    fields read by position, as containers.py reads the argument)."""
    if s.is_leaf:
        assert isinstance(s.expr, ast.Name)
        return [ast.Assign([_store(sweep.t(s.expr.id))], path)]
    found = []
    for i, (key, item) in enumerate(s.items.items()):
        index = ast.Constant(i if s.kind == "namedtuple" else key)
        found += _leaf_reads(item, ast.Subscript(copy.deepcopy(path), index, ast.Load()), sweep)
    return found


def forward(unit: Unit) -> Unit:
    """Build `jvp_f(*args, *, t<wrt>...)` returning `(value, tangent of the value)`."""
    assert unit.tree is not None
    sweep = _Forward(unit)
    prologue: list[ast.stmt] = []
    tangent_args = []
    for w in unit.wrt_names:
        if w in unit.wrt_static:
            root = unit.names.fresh("t" + w)
            tangent_args.append(root)
            prologue += _leaf_reads(unit.wrt_static[w], _name(root), sweep)
        else:
            tangent_args.append(sweep.t(w))
    body = sweep.block(unit.body[:-1])
    result = unit.result
    ret = unit.body[-1]
    assert isinstance(ret, ast.Return) and ret.value is not None
    value = copy.deepcopy(ret.value)

    def tangent_of(name: str, value: ast.expr) -> ast.expr:
        if name in unit.active:
            return _name(sweep.t(name))
        return sweep.zeros(value)  # the output does not depend on the differentiated arguments

    if isinstance(value, ast.Tuple):  # a tuple of outputs: a tuple of tangents
        parts = [tangent_of(getattr(e, "id", ""), e) for e in value.elts]
        tangent: ast.expr = ast.Tuple(parts, ast.Load())
    else:
        tangent = tangent_of(result, value)
    returned = ast.copy_location(ast.Return(ast.Tuple([value, tangent], ast.Load())), ret)
    args = copy.deepcopy(unit.tree.args)
    for name in tangent_args:
        args.kwonlyargs.append(ast.arg(name))
        args.kw_defaults.append(None)
    fdef = ast.FunctionDef(f"jvp_{unit.name}", args, [*prologue, *body, returned], [], None, None)
    unit.out = ast.Module([fdef], [])
    return unit
