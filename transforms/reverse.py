"""reverse: write the gradient function, a forward sweep then a reverse sweep.

    def loss(w, X):                     def grad_loss(w, X):
        z = X @ w                           z = X @ w
        loss = np.sum(np.tanh(z))   ->      _tanh1 = np.tanh(z)
        return loss                         loss = np.sum(_tanh1)
                                            dloss = rt.seed(loss)
                                            # grad of: loss = np.sum(np.tanh(z))
                                            d_tanh1 = np.broadcast_to(dloss, np.shape(_tanh1))
                                            dz = d_tanh1 * (1 - _tanh1 * _tanh1)
                                            # grad of: z = X @ w
                                            dw = rt.matmul_rhs(dz, X, w)
                                            return rt.grad_like(dw, w)

Each active statement contributes to the adjoints of its active operands, in reverse
order, by inlining its rule. The first contribution to an adjoint assigns it, later ones
add to it, and a value that receives none stays a symbolic zero: no code at all.
"""

from __future__ import annotations

import ast
import copy
import types

from .activity import OP, target_name
from .blocks import PHI, assigned, flatten, has_loops, is_compound
from .containers import gradient_of
from .inline import NOT_NONE, instantiate
from .lists import LIST_USE, ListSweep
from .ops import SEQUENCE_LITERALS, Op, names_in
from .resolve import attr_chain, canonical_path
from .rules.table import PART
from .unit import SOURCE, SOURCE_LINE, TRIPS, Unit
from .writes import WriteSweep, has_writes


class Comment(str):
    """A comment line in generated code, carried in the AST as `Expr(Constant(Comment))`."""


class Mark(Comment):
    """`push k` / `pop k`: where the tape pass saves and restores values inside loops."""


MARK_AFTER = "npgrad_mark_after"  # on a compound statement: the control mark saved after it
FORWARD = "npgrad_forward"  # on each top-level statement of the forward sweep
LIKE = "npgrad_like"  # on `rt.unbroadcast(c, x)`: (adjoint in c, the primal it has the shape of)


def _is_mark(stmt: ast.stmt) -> bool:
    return is_comment(stmt) and isinstance(stmt.value.value, Mark)  # type: ignore[attr-defined]


def comment(text: str) -> ast.Expr:
    return ast.Expr(ast.Constant(Comment(text)))


def is_comment(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, Comment)
    )


def _name(id_: str) -> ast.Name:
    return ast.Name(id_, ast.Load())


def _is_basic_index(idx: ast.expr, ints: set[str]) -> bool:
    """Indices known to select each element at most once: ints, slices, None, `...`, and
    names known to hold an int (a range loop's index, a size)."""
    parts = idx.elts if isinstance(idx, ast.Tuple) else [idx]
    for p in parts:
        if isinstance(p, ast.Name) and p.id in ints:
            continue
        if isinstance(p, ast.Slice):
            continue
        if isinstance(p, ast.Constant) and (
            p.value is None or p.value is Ellipsis or type(p.value) is int
        ):
            continue
        if getattr(p, "npgrad_obj", 0) is None:  # np.newaxis
            continue
        return False
    return True


def _adjoint(name: str) -> ast.Name:
    """An adjoint's name, marked as never None (so a rule's `g[0] is None` folds away)."""
    node = _name(name)
    setattr(node, NOT_NONE, True)
    return node


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _elements(node: ast.expr, prefix: tuple[int, ...] = ()) -> list[tuple[object, ast.Name]]:
    """The names in a (nested) list literal with their positions: `[[a, b], [c, d]]` gives
    (0, 0) a, (0, 1) b, ...; a flat list gives plain ints."""
    found: list[tuple[object, ast.Name]] = []
    for k, elt in enumerate(node.elts):  # type: ignore[attr-defined]
        if isinstance(elt, SEQUENCE_LITERALS):
            found += _elements(elt, (*prefix, k))
        elif isinstance(elt, ast.Name):
            found.append(((*prefix, k) if prefix else k, elt))
    return found


class _Sweep(ListSweep, WriteSweep):
    def __init__(self, unit: Unit):
        self.unit = unit
        self.list_adj: dict[str, str] = {}  # a list's owner -> its adjoint (transforms/lists.py)
        self.adjoint: dict[str, str] = {}  # primal name -> adjoint name, once it has a value
        self.names_of: dict[str, str] = {}  # primal name -> its adjoint's name, for good
        self.owned: set[str] = set()  # adjoints that are fresh arrays, safe to update in place
        self.multi: set[str] = set()  # primal names assigned more than once (loop versions)
        self.loops: list[set[str]] = []  # names each enclosing loop assigns, outermost first
        self.parts: dict[str, dict[int, str]] = {}  # tuple result -> part index -> adjoint
        self.out: list[ast.stmt] = []

    def np_(self, attr: str) -> ast.expr:
        return ast.Attribute(_name(self.unit.np), attr, ast.Load())

    def rt_(self, attr: str) -> ast.expr:
        return ast.Attribute(_name(self.unit.rt), attr, ast.Load())

    def adj_name(self, primal: str) -> str:
        if primal not in self.names_of:
            self.names_of[primal] = self.unit.names.adjoint(primal)
        return self.names_of[primal]

    def assign(self, target: str, value: ast.expr) -> None:
        self.out.append(ast.Assign([ast.Name(target, ast.Store())], value))

    def bind_free(self, name: str, obj: object) -> ast.expr:
        """A name a user's rule uses (`digamma`): NumPy's under `np`, others bound in the
        generated function's closure under a name that collides with nothing."""
        path = canonical_path(obj) if callable(obj) or isinstance(obj, types.ModuleType) else None
        if path is not None:
            return attr_chain(self.unit.np, path)
        for cell_name, value in self.unit.cells.items():
            if value is obj:
                return _name(cell_name)
        cell_name = self.unit.names.fresh(name)
        self.unit.cells[cell_name] = obj
        return _name(cell_name)

    def accumulate(self, primal: str, contribution: ast.expr) -> None:
        """First write assigns, later writes add."""
        if primal not in self.adjoint:
            self.adjoint[primal] = self.adj_name(primal)
            self.assign(self.adjoint[primal], contribution)
            return
        d = self.adjoint[primal]
        self.assign(d, ast.BinOp(_name(d), ast.Add(), contribution))
        self.owned.add(primal)

    # ----- one statement ------------------------------------------------------------

    def statement(self, stmt: ast.stmt) -> None:
        use = getattr(stmt, LIST_USE, None)
        if use is not None:  # creates, names or changes a list (transforms/lists.py)
            return self.list_statement(stmt, use)
        target = target_name(stmt)
        assert target is not None
        if target not in self.adjoint:
            return  # symbolic zero: nothing flows back through this value
        op: Op = getattr(stmt, OP)
        g = _name(self.adjoint[target])
        owned = target in self.owned  # its adjoint is an array only it holds, and ends here
        if target in self.multi:  # this assignment ends the value: earlier ones start afresh
            del self.adjoint[target]
            self.owned.discard(target)
        if op.kind == "copy":
            source = op.args[0]
            if isinstance(source, ast.Name) and source.id in self.unit.active:
                self.pass_on(source.id, g, owned and self.writing)
        elif op.kind == "getitem":
            self.getitem(op, g)
        elif op.kind == "rule":
            self.rule(op, g, target)
        elif op.kind == "write":  # `a_1 = rt.setitem(a, idx, v)` (transforms/writes.py)
            self.owned.discard(target)
            self.write(op, g, owned)

    def rule(self, op: Op, g: ast.expr, target: str) -> None:
        rule = op.rule
        assert rule is not None
        if rule.results:  # g: the parts' adjoints, None where nothing flowed back
            parts = self.parts.get(target, {})
            count = rule.results if rule.results is not True else max(parts) + 1
            g = ast.Tuple(
                [_adjoint(parts[k]) if k in parts else ast.Constant(None) for k in range(count)],
                ast.Load(),
            )
        env = {**op.bound, "g": g, "ans": _name(target), PART: ast.Constant(None)}
        env |= {"np": _name(self.unit.np), "rt": _name(self.unit.rt)}
        env |= {name: self.bind_free(name, obj) for name, obj in rule.free_objects.items()}
        active = self.unit.active
        for param, node in op.bound.items():
            template = rule.output_for(param)
            if template is None:
                continue
            if isinstance(node, ast.Name) and node.id in op.lists:
                self.list_parts(op, param, node, env)
                continue
            if param == rule.sequence and isinstance(node, SEQUENCE_LITERALS):
                for index, elt in _elements(node):
                    if elt.id in active:
                        part = instantiate(template, env | {PART: ast.Constant(index)})
                        if not _is_none(part):
                            self.accumulate(elt.id, part)
            elif isinstance(node, ast.Name) and node.id in active:
                contribution = instantiate(template, env)
                if _is_none(contribution):
                    continue  # the parts it depends on got no gradient
                if rule.broadcasts and self._may_broadcast(node, op.bound.values()):
                    contribution = ast.Call(self.rt_("unbroadcast"), [contribution, node], [])
                    if isinstance(g, ast.Name):  # g: ans's adjoint (transforms/specialize.py)
                        setattr(contribution, LIKE, (g.id, target))
                self.accumulate(node.id, contribution)

    def _may_broadcast(self, operand: ast.Name, operands: object) -> bool:
        """Could another operand have broadcast this one to a larger shape? Not a literal,
        not the same name, not a value known to be one number (a size, a full reduction)."""
        for other in operands:  # type: ignore[attr-defined]
            if isinstance(other, ast.Constant):
                continue
            if isinstance(getattr(other, "npgrad_obj", None), int | float):
                continue  # a global or closure number, such as a step size
            if isinstance(other, ast.Name) and other.id in (operand.id, *self.unit.scalars):
                continue
            return True
        return False

    def getitem(self, op: Op, g: ast.Name) -> None:
        base, idx = op.args
        if not (isinstance(base, ast.Name) and base.id in self.unit.active):
            return
        if base.id in op.lists:
            return self.list_item(op, g)
        x = base.id
        if x in self.unit.tuples:  # one part of a tuple result: its own adjoint
            part = self.parts.setdefault(x, {})
            k = idx.value  # type: ignore[attr-defined]
            if k not in part:
                part[k] = self.unit.names.fresh(f"d{x}_{k}")
                self.unit.names.temps.add(part[k])
                self.assign(part[k], g)
            else:
                self.assign(part[k], ast.BinOp(_name(part[k]), ast.Add(), g))
            self.adjoint.setdefault(x, part[k])  # the tuple now has a (partial) adjoint
            return
        dx = self.adj_name(x)
        store = ast.Subscript(ast.Name(dx, ast.Load()), idx, ast.Store())
        basic = _is_basic_index(idx, self.unit.scalars)
        if x not in self.adjoint:
            self.adjoint[x] = dx
            zeros = ast.Call(self.np_("zeros_like"), [_name(x)], [])
            self.assign(dx, zeros)
            if basic:
                self.out.append(ast.Assign([store], g))
                self.owned.add(x)
                return
        elif x not in self.owned:
            copy = ast.Call(ast.Attribute(_name(dx), "copy", ast.Load()), [], [])
            self.assign(dx, copy)
        self.owned.add(x)
        if basic:
            self.out.append(ast.AugAssign(store, ast.Add(), g))
        else:
            add_at = ast.Attribute(self.np_("add"), "at", ast.Load())
            if any(isinstance(n, ast.Slice) for n in ast.walk(idx)):
                idx = ast.Subscript(self.np_("s_"), idx, ast.Load())  # `:` only inside [...]
            self.out.append(ast.Expr(ast.Call(add_at, [_name(dx), idx, g], [])))


class _Blocks(_Sweep):
    """The reverse sweep over blocks: branches replay the branch taken, loops run backwards."""

    def block(self, stmts: list[ast.stmt]) -> None:
        """Append the reverse of `stmts` (in reverse order) to self.out."""
        line = None
        tail = len(stmts)
        while tail and getattr(stmts[tail - 1], PHI, False):
            tail -= 1  # the copies closing a loop body come after the body's last push
        lists = self.open_lists(stmts, tail)  # the adjoints of the lists this block creates
        for i in reversed(range(len(stmts))):
            stmt = stmts[i]
            if self.loops and (i == tail - 1 or i < tail - 1 and is_compound(stmts[i + 1])):
                if not is_compound(stmt):
                    self.mark(stmts, i + 1, "segment")  # values this run of statements saves
                    self.init_lists(lists)
                    lists = []
            if isinstance(stmt, ast.If):
                self.if_(stmt)
                line = None
            elif isinstance(stmt, ast.For | ast.While):
                self.loop(stmt)
                line = None
            elif target_name(stmt) in self.unit.active or hasattr(stmt, LIST_USE):
                start = len(self.out)
                self.statement(stmt)  # type: ignore[arg-type]
                src_line = getattr(stmt, SOURCE_LINE, None)
                if getattr(stmt, PHI, False):
                    continue  # a block's closing copy: bookkeeping, not a line of the user's
                if len(self.out) > start and src_line != line and src_line is not None:
                    lines = getattr(stmt, SOURCE, (None, self.unit.lines))[1]
                    text = lines[src_line - 1].strip()
                    self.out.insert(start, comment(f"grad of: {text}"))
                    line = src_line

    def mark(self, stmts: list[ast.stmt], at: int, kind: str) -> None:
        """Pair a place in the forward sweep with the current place in the reverse sweep:
        the tape pass saves there what the reverse reads here (inside loops only)."""
        k = len(self.unit.marks)
        self.unit.marks.append((kind, set().union(*self.loops)))
        stmts.insert(at, ast.Expr(ast.Constant(Mark(f"push {k}"))))
        self.out.append(ast.Expr(ast.Constant(Mark(f"pop {k}"))))

    def branch(self, stmts: list[ast.stmt]) -> tuple[list[ast.stmt], dict[str, str], set[str]]:
        saved = self.out, dict(self.adjoint), set(self.owned)
        self.out = []
        self.block(stmts)
        result = self.out, self.adjoint, self.owned
        self.out, self.adjoint, self.owned = saved[0], dict(saved[1]), set(saved[2])
        return result

    def zeros(self, out: list[ast.stmt], primal: str) -> None:
        zeros = ast.Call(self.np_("zeros_like"), [_name(primal)], [])
        out.append(ast.Assign([ast.Name(self.adj_name(primal), ast.Store())], zeros))

    def if_(self, node: ast.If) -> None:
        """Replay the branch the forward sweep took; after it, an adjoint either branch
        wrote exists on both paths (zeros on the other)."""
        local = assigned(node.body) | assigned(node.orelse)  # consumed inside the branches
        then_out, then_adj, then_owned = self.branch(node.body)
        else_out, else_adj, else_owned = self.branch(node.orelse)
        then_adj = {p: a for p, a in then_adj.items() if p not in local}
        else_adj = {p: a for p, a in else_adj.items() if p not in local}
        if not then_out and not else_out:
            return
        for p in sorted(set(then_adj) - set(else_adj)):
            self.zeros(else_out, p)
        for p in sorted(set(else_adj) - set(then_adj)):
            self.zeros(then_out, p)
        self.adjoint = {p: self.adj_name(p) for p in set(then_adj) | set(else_adj)}
        self.owned = (then_owned | (set(else_adj) - set(then_adj))) & (
            else_owned | (set(then_adj) - set(else_adj))
        )
        if self.loops:
            self.mark_control(node)
        test = copy.deepcopy(node.test)
        self.out.append(ast.If(test, then_out or [ast.Pass()], else_out))

    def mark_control(self, node: ast.stmt) -> None:
        """A branch's condition, a loop's bounds or trip count, saved after the statement."""
        k = len(self.unit.marks)
        self.unit.marks.append(("control", set().union(*self.loops)))
        setattr(node, MARK_AFTER, k)
        self.out.append(ast.Expr(ast.Constant(Mark(f"pop {k}"))))

    def loop(self, node: ast.For | ast.While) -> None:
        """Run the body's reverse backwards over the iterations the forward sweep made."""
        inside = assigned(node.body)
        if isinstance(node, ast.For):
            inside.add(node.target.id)  # type: ignore[union-attr]
        reads = {n for st in flatten(node.body) for n in names_in(st)} & self.unit.active
        # adjoints that live across iterations (the loop versions the body's closing copies
        # write) exist before the reversed loop starts
        closing = []  # the copies ending the body (not those before an inner loop)
        for st in reversed(node.body):
            if not getattr(st, PHI, False):
                break
            closing.append(st)
        carried = {target_name(st) for st in closing} & self.unit.active
        self.multi |= carried  # set again every iteration
        for p in sorted((reads - inside) | carried):
            if p not in self.adjoint:
                self.zeros(self.out, p)
                self.adjoint[p] = self.adj_name(p)
                self.owned.add(p)
        entry_owned = self.own_carried(node, carried)  # writes clear adjoints in place
        saved_out, self.out = self.out, []
        state = {p: a for p, a in self.adjoint.items() if p not in inside or p in carried}
        self.adjoint = state
        self.loops.append(inside)
        self.block(node.body)
        resets = sorted(carried - set(self.adjoint))
        if resets:  # a loop version's value at the iteration's start, saved at its start
            self.mark(node.body, 0, "segment")
        for p in resets:
            self.zeros(self.out, p)
        self.keep_owned(entry_owned - set(resets))
        self.loops.pop()
        body_out, self.out = self.out, saved_out
        self.adjoint = {p: a for p, a in self.adjoint.items() if p not in inside or p in carried}
        self.owned &= set(self.adjoint)
        for p in carried:
            self.adjoint[p] = self.adj_name(p)
        if not [s for s in body_out if not _is_mark(s)]:
            return
        if self.loops:
            self.mark_control(node)
        if isinstance(node, ast.For):
            target = copy.deepcopy(node.target)
            iterations = ast.Call(_name("reversed"), [copy.deepcopy(node.iter)], [])
        else:
            target = ast.Name(self.unit.names.fresh("_"), ast.Store())
            trips = getattr(node, TRIPS)
            iterations = ast.Call(_name("range"), [_name(trips)], [])
        self.out.append(ast.For(target, iterations, body_out, [], None))


COTANGENT = "npgrad_cotangent"  # the output's adjoint, a parameter of a VJP (kind "vjp")


def reverse(unit: Unit) -> Unit:
    """Build `grad_f`: the forward statements, the seed, the adjoint statements, the return."""
    assert unit.tree is not None
    forward = unit.body[:-1]
    sweep = _Blocks(unit)
    stores: dict[str, int] = {}
    for st in forward:
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                stores[n.id] = stores.get(n.id, 0) + 1
    sweep.multi = {n for n, c in stores.items() if c > 1}
    sweep.writing = has_writes(forward)
    result = unit.result
    given = unit.kind in ("vjp", "vjp_split")  # the output's adjoint is given
    if result in unit.active:
        d = sweep.adj_name(result)
        sweep.adjoint[result] = d
        if given:  # `npgrad_cotangent`: a parameter, or sent into the generator (split)
            seed = ast.Call(sweep.rt_("cotangent"), [_name(COTANGENT), _name(result)], [])
        else:
            seed = ast.Call(sweep.rt_("seed"), [_name(result)], [])
        sweep.assign(d, seed)
    elif result and not given:  # nothing to differentiate; still must be a scalar
        check = ast.Expr(ast.Call(sweep.rt_("check_scalar"), [_name(result)], []))
        setattr(check, SOURCE_LINE, getattr(unit.body[-1], SOURCE_LINE, None))
        sweep.out.append(check)
    sweep.block(forward)

    def gradient(w: str) -> ast.expr:
        adjoint = _name(sweep.adjoint[w]) if w in sweep.adjoint else ast.Constant(None)
        return ast.Call(sweep.rt_("grad_like"), [adjoint, _name(w)], [])

    grads = [
        gradient_of(unit.wrt_static[w], gradient) if w in unit.wrt_static else gradient(w)
        for w in unit.wrt_names
    ]
    value: ast.expr = (
        grads[0] if len(unit.wrt) == 1 and not unit.wrt_is_tuple else ast.Tuple(grads, ast.Load())
    )
    forward_value: list[ast.stmt] = []
    if unit.kind in ("value_and_grad", "vjp_split"):
        returned: ast.expr = _name(result) if result else unit.body[-1].value  # type: ignore[assignment]
        if result and has_loops(forward):  # the reversed loops restore earlier values
            kept = unit.names.fresh(f"{result}_value")
            forward_value = [ast.Assign([ast.Name(kept, ast.Store())], _name(result))]
            returned = _name(kept)
        value = ast.Tuple([returned, value], ast.Load())
    for st in [*forward, *forward_value]:
        setattr(st, FORWARD, True)  # transforms/inplace.py tells the sweeps apart
    body = [*forward, *forward_value, *sweep.out, ast.Return(value)]
    if unit.kind == "vjp_split":  # a generator: yields the value, is sent the cotangent
        sent = ast.Assign([ast.Name(COTANGENT, ast.Store())], ast.Yield(returned))
        body = [*forward, *forward_value, sent, *sweep.out, ast.Return(value)]
    args = unit.tree.args
    if unit.kind == "vjp":
        args = copy.deepcopy(args)
        args.kwonlyargs.append(ast.arg(COTANGENT))
        args.kw_defaults.append(None)
    prefix = {"grad": "grad", "vjp": "vjp", "vjp_split": "vjp"}.get(unit.kind, "value_and_grad")
    fdef = ast.FunctionDef(f"{prefix}_{unit.name}", args, body, [], None, None)
    unit.out = ast.Module([fdef], [])
    return unit
