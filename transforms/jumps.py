"""jumps: `return`, `continue`, `break` and loop `else` become plain branches and flags.

    if c:                                   if c:
        return a                                result = a
    y = f(x)                    ->          else:
    return g(y)                                 y = f(x)
                                                result = g(y)
                                            return result

    for i in range(n):                      stop = False
        if done(i):                         for i in range(n):
            break               ->              if not stop:
        s = s + x[i]                                if done(i):
    else:                                               stop = True
        s = -s                                      else:
                                                        s = s + x[i]
                                            if not stop:
                                                s = -s

    for k in range(50):                     returned = False
        y = step(y)                         for k in range(50):
        if small(y):            ->              if not returned:
            return np.sum(y)                        y = step(y)
    return np.sum(y) * 2                            if small(y):
                                                        result = np.sum(y)
                                                        returned = True
                                            if not returned:
                                                result = np.sum(y) * 2
                                            return result

What follows a branch that jumps moves into the branch that does not, so every path ends
at the block's end; a `continue` then simply ends the iteration, a `break` sets a flag that
guards the remaining iterations (a `while` tests it with its condition), and a loop's
`else` runs after the loop when the flag is unset. A `return` inside a loop assigns the
result, sets `returned` (the flag of every loop it leaves, or one more flag in a loop that
also breaks) and leaves the loop like a `break`; after each loop, `if returned:` leaves the
enclosing loop in turn, and at the function's level the rest moves into the other branch.
The function's returns assign one result returned at the end.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

from npgrad.errors import UnsupportedSyntaxError

from .unit import Unit

Kind = type[ast.stmt] | tuple[type[ast.stmt], ...]
_EXITS = (ast.Break, ast.Return)
LEAVE = "npgrad_leave"  # on a value-less Return after a loop: the loop returned, leave too


def _ends_with(stmts: list[ast.stmt], kind: Kind) -> bool:
    """Does every path through `stmts` end with a `kind` statement?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, kind):
        return True
    if isinstance(last, ast.If):
        return _ends_with(last.body, kind) and _ends_with(last.orelse, kind)
    return False


def _returns(stmts: list[ast.stmt]) -> bool:
    """Does every path through `stmts` return? (`while True:` leaves only by a return
    when it has no `break`.)"""
    last = stmts[-1] if stmts else None
    if isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and last.test.value:
        return not _contains(last.body, ast.Break, False)
    if isinstance(last, ast.If):
        return _returns(last.body) and _returns(last.orelse)
    return isinstance(last, ast.Return)


def _is_none(value: ast.expr | None) -> bool:
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _contains(stmts: list[ast.stmt], kind: Kind, into_loops: bool) -> bool:
    for stmt in stmts:
        if isinstance(stmt, kind):
            return True
        if isinstance(stmt, ast.If) and (
            _contains(stmt.body, kind, into_loops) or _contains(stmt.orelse, kind, into_loops)
        ):
            return True
        if into_loops and isinstance(stmt, ast.For | ast.While):
            if _contains(stmt.body, kind, into_loops) or _contains(stmt.orelse, kind, into_loops):
                return True
    return False


def _restructure(stmts: list[ast.stmt], kind: Kind) -> list[ast.stmt]:
    """Move what follows a branch that always jumps into the branch that does not."""
    out: list[ast.stmt] = []
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, kind):
            out.append(stmt)
            return out  # the rest cannot run
        if isinstance(stmt, ast.If) and (
            _contains(stmt.body, kind, False) or _contains(stmt.orelse, kind, False)
        ):
            rest = stmts[i + 1 :]
            body = _restructure(stmt.body, kind)
            orelse = _restructure(stmt.orelse, kind)
            if rest and not _ends_with(body, kind):
                body = _restructure(body + copy.deepcopy(rest), kind)
            if rest and not _ends_with(orelse, kind):
                orelse = _restructure(orelse + rest, kind)
            node = ast.copy_location(ast.If(stmt.test, body or [ast.Pass()], orelse), stmt)
            out.append(node)
            return out
        out.append(stmt)
    return out


class _Replace(ast.NodeTransformer):
    """Replace `kind` statements (not inside nested loops or functions) by `make(stmt)`."""

    def __init__(self, kind: Kind, make):  # type: ignore[no-untyped-def]
        self.kind, self.make = kind, make

    def visit_For(self, node: ast.AST) -> ast.AST:
        return node

    visit_While = visit_For
    visit_FunctionDef = visit_Lambda = visit_For

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, self.kind):
            return self.make(node)
        return super().generic_visit(node)


def _replace(stmts: list[ast.stmt], kind: Kind, make) -> list[ast.stmt]:  # type: ignore[no-untyped-def]
    return _Replace(kind, make).visit(ast.Module(stmts, [])).body


def _set(name: str, value: bool | None, like: ast.AST) -> ast.Assign:
    """`name = value` at `like`'s position."""
    return ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(value)), like)


def _tidy(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """`if flag: pass else: rest` -> `if not flag: rest`; `if flag: pass` -> nothing."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body, stmt.orelse = _tidy(stmt.body), _tidy(stmt.orelse)
            if isinstance(stmt.test, ast.Name) and all(isinstance(s, ast.Pass) for s in stmt.body):
                if not stmt.orelse:
                    continue
                test = ast.copy_location(ast.UnaryOp(ast.Not(), stmt.test), stmt.test)
                stmt = ast.copy_location(ast.If(test, stmt.orelse, []), stmt)
        out.append(stmt)
    return out


@dataclass
class _Jumps:
    """One function's lowering: its body, and the names its returns from loops share."""

    unit: Unit
    scope: list[ast.stmt]  # the whole body: where the code after a loop reads its index
    names: dict[str, str] = field(default_factory=dict)

    def name(self, base: str) -> str:
        """One fresh name per function for `result` and `returned`."""
        if base not in self.names:
            self.names[base] = self.unit.names.fresh(base)
        return self.names[base]


def _lower_loop(
    loop: ast.For | ast.While, orelse: list[ast.stmt], state: _Jumps, outermost: bool
) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """Lower `continue`, `break`, `return` and `else` of one loop whose inner loops are
    lowered already; returns the statements to put before it and after it."""
    body = loop.body
    before: list[ast.stmt] = []
    after: list[ast.stmt] = []
    if _contains(body, ast.Continue, False):
        body = _restructure(body, ast.Continue)
        body = _replace(body, ast.Continue, lambda s: ast.copy_location(ast.Pass(), s))
    breaks = _contains(body, ast.Break, False)
    returns = _contains(body, ast.Return, False)  # its own, or a marker after an inner loop
    returned = state.name("returned") if returns else ""
    stop = state.unit.names.fresh("stop") if breaks else returned
    if returns and outermost:
        before.append(_set(returned, False, loop))
    if breaks:
        before.append(_set(stop, False, loop))
    if breaks or returns:
        body = _restructure(body, _EXITS)
        body = _tidy(_replace(body, _EXITS, lambda s: _exit(s, stop, state)))
        not_stop = ast.UnaryOp(ast.Not(), ast.Name(stop, ast.Load()))
        if isinstance(loop, ast.While):
            loop.test = ast.copy_location(ast.BoolOp(ast.And(), [not_stop, loop.test]), loop.test)
        else:
            if breaks:
                _refuse_index_after_break(loop, state)
            body = [ast.copy_location(ast.If(not_stop, body, []), loop)]
    if returns:  # the loop returned: leave what encloses it too
        leave = ast.copy_location(ast.Return(None), loop)
        setattr(leave, LEAVE, True)
        after.append(ast.copy_location(ast.If(ast.Name(returned, ast.Load()), [leave], []), loop))
    if orelse and breaks:
        not_stop = ast.UnaryOp(ast.Not(), ast.Name(stop, ast.Load()))
        after.append(ast.copy_location(ast.If(not_stop, orelse, []), orelse[0]))
    else:
        after += orelse  # after a return, the marker above moves it aside
    loop.body = [ast.fix_missing_locations(s) for s in body] or [ast.Pass()]
    loop.orelse = []
    return before, after


def _exit(s: ast.stmt, stop: str, state: _Jumps) -> list[ast.stmt]:
    """A `break` sets the loop's flag; a `return` also assigns the result and `returned`
    (which is the loop's flag, unless the loop also breaks)."""
    out: list[ast.stmt] = []
    if isinstance(s, ast.Return) and not getattr(s, LEAVE, False):
        value = s.value if s.value is not None else ast.Constant(None)
        out.append(
            ast.copy_location(ast.Assign([ast.Name(state.name("result"), ast.Store())], value), s)
        )
        out.append(_set(state.name("returned"), True, s))
    if isinstance(s, ast.Break) or stop != state.names.get("returned"):
        out.append(_set(stop, True, s))
    return [ast.fix_missing_locations(st) for st in out] or [ast.copy_location(ast.Pass(), s)]


def _refuse_index_after_break(loop: ast.For, state: _Jumps) -> None:
    """After a `break` Python leaves the index at the breaking iteration; the lowered loop
    runs to the end, so code after the loop must not read the index."""
    names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    end = loop.end_lineno or loop.lineno
    for node in ast.walk(ast.Module(state.scope, [])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            if node.lineno > end:
                state.unit.error(
                    UnsupportedSyntaxError,
                    f"`{node.id}` is read after a loop that breaks; npgrad does not keep the "
                    "index a `break` left it at",
                    node,
                    "save the value you need in the loop before `break`",
                )


def _lower_loops(stmts: list[ast.stmt], state: _Jumps, outermost: bool) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body = _lower_loops(stmt.body, state, outermost)
            stmt.orelse = _lower_loops(stmt.orelse, state, outermost)
        elif isinstance(stmt, ast.For | ast.While):
            stmt.body = _lower_loops(stmt.body, state, False)
            orelse = _lower_loops(stmt.orelse, state, outermost)  # runs after the loop
            before, after = _lower_loop(stmt, orelse, state, outermost)
            out += [*before, stmt, *after]
            continue
        out.append(stmt)
    return out


def _lower_returns(body: list[ast.stmt], state: _Jumps) -> list[ast.stmt]:
    """`if c: return a` ... `return b` -> one result name assigned on every path."""
    nested = any(not isinstance(s, ast.Return) and _contains([s], ast.Return, True) for s in body)
    if not nested:
        return body
    body = _restructure(body, ast.Return)
    result = state.name("result")

    def assign(s: ast.Return) -> ast.stmt:
        if getattr(s, LEAVE, False):  # a loop returned: the result is assigned
            return ast.copy_location(ast.Pass(), s)
        value = s.value if s.value is not None else ast.Constant(None)
        return ast.copy_location(ast.Assign([ast.Name(result, ast.Store())], value), s)

    body = _tidy(_replace(body, ast.Return, assign))
    last = body[-1] if body else None
    final = ast.Return(ast.Name(result, ast.Load()))
    if last is not None:
        final = ast.fix_missing_locations(ast.copy_location(final, last))
    return [*body, final]


def lower_jumps(body: list[ast.stmt], unit: Unit) -> list[ast.stmt]:
    """A function body (the user's, or a helper's being inlined) with its jumps lowered."""
    unit.names.taken |= {n.id for n in ast.walk(ast.Module(body, [])) if isinstance(n, ast.Name)}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Return) and _is_none(node.value):
            unit.error(
                UnsupportedSyntaxError,
                "this `return` gives None, which has no gradient",
                node,
                "return the value to differentiate on every path",
            )
    if body and not _returns(body) and _contains(body, ast.Return, True):
        unit.error(
            UnsupportedSyntaxError,
            "this function can reach its end without a `return` (Python then returns None)",
            body[-1],
            "end the function with a `return` of the value for the remaining case",
        )
    state = _Jumps(unit, body)
    body = _lower_loops(body, state, True)
    return [ast.fix_missing_locations(s) for s in _lower_returns(body, state)]


def jumps(unit: Unit) -> Unit:
    """Lower `continue`, `break`, loop `else` and early `return` (see the module docstring)."""
    assert unit.tree is not None
    unit.tree.body = lower_jumps(unit.tree.body, unit)
    return unit
