"""jumps: `return`, `continue` and `break` inside blocks become plain branches.

    if c:                                   if c:
        return a                                _ret = a
    y = f(x)                    ->          else:
    return g(y)                                 y = f(x)
                                                _ret = g(y)
                                            return _ret

    for i in range(n):                      _stop = False
        if done(i):                         for i in range(n):
            break               ->              if not _stop:
        s = s + x[i]                                if done(i):
                                                        _stop = True
                                                    else:
                                                        s = s + x[i]

What follows a branch that jumps moves into the branch that does not, so every path ends
at the block's end; a `continue` then simply ends the iteration, a `break` sets a flag that
guards the remaining iterations (a `while` tests it with its condition), and the function's
returns assign one result returned at the end. Jumps out of loops (`return` inside a loop)
are not lowered yet and are refused by normalize.
"""

from __future__ import annotations

import ast
import copy

from npgrad.errors import UnsupportedSyntaxError

from .unit import Unit


def _ends_with(stmts: list[ast.stmt], kind: type[ast.stmt]) -> bool:
    """Does every path through `stmts` end with a `kind` statement?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, kind):
        return True
    if isinstance(last, ast.If):
        return _ends_with(last.body, kind) and _ends_with(last.orelse, kind)
    return False


def _contains(stmts: list[ast.stmt], kind: type[ast.stmt], into_loops: bool) -> bool:
    for stmt in stmts:
        if isinstance(stmt, kind):
            return True
        if isinstance(stmt, ast.If) and (
            _contains(stmt.body, kind, into_loops) or _contains(stmt.orelse, kind, into_loops)
        ):
            return True
        if into_loops and isinstance(stmt, ast.For | ast.While):
            if _contains(stmt.body, kind, into_loops):
                return True
    return False


def _restructure(stmts: list[ast.stmt], kind: type[ast.stmt]) -> list[ast.stmt]:
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

    def __init__(self, kind: type[ast.stmt], make):  # type: ignore[no-untyped-def]
        self.kind, self.make = kind, make

    def visit_For(self, node: ast.AST) -> ast.AST:
        return node

    visit_While = visit_For
    visit_FunctionDef = visit_Lambda = visit_For

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, self.kind):
            return self.make(node)
        return super().generic_visit(node)


def _lower_loop_body(loop: ast.For | ast.While, unit: Unit) -> list[ast.stmt]:
    """Lower `continue` and `break` in one loop; returns statements to put before it."""
    body = loop.body
    before: list[ast.stmt] = []
    if _contains(body, ast.Continue, False):
        body = _restructure(body, ast.Continue)
        body = (
            _Replace(ast.Continue, lambda s: ast.copy_location(ast.Pass(), s))
            .visit(ast.Module(body, []))
            .body
        )
    if _contains(body, ast.Break, False):
        stop = unit.names.fresh("stop")
        body = _restructure(body, ast.Break)

        def set_stop(s: ast.stmt) -> ast.stmt:
            return ast.copy_location(
                ast.Assign([ast.Name(stop, ast.Store())], ast.Constant(True)), s
            )

        body = _Replace(ast.Break, set_stop).visit(ast.Module(body, [])).body
        before.append(
            ast.copy_location(ast.Assign([ast.Name(stop, ast.Store())], ast.Constant(False)), loop)
        )
        not_stop = ast.UnaryOp(ast.Not(), ast.Name(stop, ast.Load()))
        if isinstance(loop, ast.While):
            loop.test = ast.copy_location(ast.BoolOp(ast.And(), [not_stop, loop.test]), loop.test)
        else:
            _refuse_index_after_break(loop, unit)
            body = [ast.copy_location(ast.If(not_stop, body, []), loop)]
    loop.body = [ast.fix_missing_locations(s) for s in body] or [ast.Pass()]
    return before


def _refuse_index_after_break(loop: ast.For, unit: Unit) -> None:
    """After a `break` Python leaves the index at the breaking iteration; the lowered loop
    runs to the end, so code after the loop must not read the index."""
    assert unit.tree is not None
    names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    end = loop.end_lineno or loop.lineno
    for node in ast.walk(unit.tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            if node.lineno > end:
                unit.error(
                    UnsupportedSyntaxError,
                    f"`{node.id}` is read after a loop that breaks; npgrad does not keep the "
                    "index a `break` left it at",
                    node,
                    "save the value you need in the loop before `break`",
                )


def _lower_loops(stmts: list[ast.stmt], unit: Unit) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body = _lower_loops(stmt.body, unit)
            stmt.orelse = _lower_loops(stmt.orelse, unit)
        elif isinstance(stmt, ast.For | ast.While):
            stmt.body = _lower_loops(stmt.body, unit)
            out += _lower_loop_body(stmt, unit)
        out.append(stmt)
    return out


def lower_returns(body: list[ast.stmt], unit: Unit) -> list[ast.stmt]:
    """`if c: return a` ... `return b` -> one result name assigned on every path."""
    nested = any(not isinstance(s, ast.Return) and _contains([s], ast.Return, True) for s in body)
    if not nested:
        return body
    for stmt in body:
        if isinstance(stmt, ast.For | ast.While) and _contains(stmt.body, ast.Return, True):
            ret = next(n for n in ast.walk(stmt) if isinstance(n, ast.Return))
            unit.error(
                UnsupportedSyntaxError,
                "`return` inside a loop is not supported yet",
                ret,
                "assign the value, leave the loop with `break`, and return after it",
            )
    body = _restructure(body, ast.Return)
    result = unit.names.fresh("result")

    def assign(s: ast.stmt) -> ast.stmt:
        value = s.value if s.value is not None else ast.Constant(None)  # type: ignore[attr-defined]
        return ast.copy_location(ast.Assign([ast.Name(result, ast.Store())], value), s)

    body = _Replace(ast.Return, assign).visit(ast.Module(body, [])).body
    last = body[-1] if body else None
    final = ast.Return(ast.Name(result, ast.Load()))
    if last is not None:
        final = ast.fix_missing_locations(ast.copy_location(final, last))
    return [*body, final]


def jumps(unit: Unit) -> Unit:
    """Lower `continue`, `break` and early `return` into branches (see the module docstring)."""
    assert unit.tree is not None
    body = _lower_loops(unit.tree.body, unit)
    unit.tree.body = [ast.fix_missing_locations(s) for s in lower_returns(body, unit)]
    return unit
