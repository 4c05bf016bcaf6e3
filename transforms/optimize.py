"""optimize: drop what the result does not read, then fold single-use temporaries back.

    _mean5 = np.mean(p)          (loss itself is not returned by grad: dropped)
    loss = -_mean5          ->
    _neg2 = -_matmul1            _exp3 = np.exp(-(X @ w))
    _exp3 = np.exp(_neg2)

Dead-code elimination keeps only the forward values the reverse sweep reads (and the
user's side effects, which run once); inlining puts back the expressions the user wrote,
so the generated code reads like theirs.
"""

from __future__ import annotations

import ast
import copy

from .blocks import assigned, child_blocks, flatten, is_compound
from .ops import is_pure, mutated_names, names_in
from .reverse import _is_mark, is_comment
from .unit import SOURCE_LINE, Unit

_MAX_INLINE_NODES = 40  # keep inlined expressions short enough to read


def writes(stmt: ast.stmt) -> set[str]:
    """Names a statement binds or changes in place (anywhere inside a block)."""
    if is_compound(stmt):
        return assigned([stmt]) | {n for s in flatten([stmt]) for n in writes(s)}
    if isinstance(stmt, ast.Assign | ast.AugAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        found = set()
        for t in targets:
            if isinstance(t, ast.Subscript | ast.Attribute):
                found |= names_in(t.value)
            else:
                found |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
        return found | mutated_names(stmt)
    return mutated_names(stmt)


def has_effects(stmt: ast.stmt) -> bool:
    """User statements that must run even if nothing reads their result. (Statements the
    reverse sweep wrote have no effects beyond the names they write.)"""
    if is_compound(stmt):
        return any(has_effects(s) for s in flatten([stmt]))
    if not hasattr(stmt, SOURCE_LINE):
        return False
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, ast.Expr):
        return not is_comment(stmt)
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
        return not is_pure(stmt.value)
    return False


def names_in_store(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _is_real(stmts: list[ast.stmt]) -> bool:
    return any(not is_comment(s) for s in stmts)


def _dce_block(body: list[ast.stmt], live_out: set[str]) -> tuple[list[ast.stmt], set[str]]:
    """The statements of `body` worth keeping, and the names live on entry to it."""
    live = set(live_out)
    kept: list[ast.stmt] = []
    for stmt in reversed(body):
        if is_comment(stmt):
            kept.append(stmt)
        elif isinstance(stmt, ast.Return):
            live |= names_in(stmt.value)
            kept.append(stmt)
        elif isinstance(stmt, ast.If):
            then_kept, live_then = _dce_block(stmt.body, live)
            else_kept, live_else = _dce_block(stmt.orelse, live)
            if _is_real(then_kept) or _is_real(else_kept):
                new = copy.copy(stmt)  # loops run this more than once: leave `stmt` alone
                new.body, new.orelse = then_kept or [ast.Pass()], else_kept
                live = live_then | live_else | names_in(stmt.test)
                kept.append(new)
        elif isinstance(stmt, ast.For | ast.While):
            header = names_in(stmt.iter if isinstance(stmt, ast.For) else stmt.test)
            loop_live = live | header  # a `while` tests its condition after every iteration
            while True:  # what the next iteration reads is live at the end of this one
                body_kept, body_live = _dce_block(stmt.body, loop_live)
                if body_live <= loop_live:
                    break
                loop_live |= body_live
            index = names_in_store(stmt.target) if isinstance(stmt, ast.For) else set()
            if _is_real(body_kept) or has_effects(stmt) or index & live:
                new = copy.copy(stmt)
                new.body = body_kept or [ast.Pass()]
                live = loop_live | body_live | header
                kept.append(new)
        else:
            stored = writes(stmt)
            in_place = isinstance(stmt, ast.AugAssign | ast.Expr) or (
                isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)
            )
            if not (stored & live or has_effects(stmt)):
                continue
            if not in_place:
                live -= stored
            live |= names_in(stmt)
            kept.append(stmt)
    kept.reverse()
    # a comment whose statements are all gone goes too (marks stay: the tape pass pairs them)
    return [s for i, s in enumerate(kept) if _worth_keeping(s, kept[i + 1 : i + 2])], live


def _worth_keeping(stmt: ast.stmt, following: list[ast.stmt]) -> bool:
    """Statements, marks, and comments followed by a statement they describe."""
    if not is_comment(stmt) or _is_mark(stmt):
        return True
    nxt = following[0] if following else None
    return (
        nxt is not None
        and (_is_mark(nxt) or not is_comment(nxt))
        and not isinstance(nxt, ast.Return)
    )


def eliminate_dead_code(body: list[ast.stmt]) -> list[ast.stmt]:
    """Keep statements whose results are read later, and side effects."""
    return _dce_block(body, set())[0]


class _Replace(ast.NodeTransformer):
    def __init__(self, name: str, value: ast.expr):
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return copy.deepcopy(self.value)
        return node


def inline_temporaries(
    body: list[ast.stmt],
    temps: set[str],
    loads: dict[str, int] | None = None,
    stores: dict[str, int] | None = None,
) -> list[ast.stmt]:
    """Substitute each temporary that is assigned once and read once into its reader (in
    the same block)."""
    if loads is None or stores is None:
        loads, stores = {}, {}
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name):
                    table = loads if isinstance(n.ctx, ast.Load) else stores
                    table[n.id] = table.get(n.id, 0) + 1
    slots: list[ast.stmt | None] = list(body)
    for i, stmt in enumerate(slots):
        if not (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id in temps
        ):
            continue
        name = stmt.targets[0].id
        if loads.get(name) != 1 or stores.get(name) != 1:
            continue
        if sum(1 for _ in ast.walk(stmt.value)) > _MAX_INLINE_NODES:
            continue
        reads = names_in(stmt.value)
        for j in range(i + 1, len(slots)):
            user = slots[j]
            if user is None or is_comment(user):
                continue
            if name in names_in(user):
                slots[j] = _Replace(name, stmt.value).visit(user)
                slots[i] = None
                break
            if is_compound(user) or _is_mark(user):
                break  # values move within one block only
            if writes(user) & (reads | {name}) or has_effects(user):
                break
    result = [s for s in slots if s is not None]
    for stmt in result:
        for block in child_blocks(stmt):
            block[:] = inline_temporaries(block, temps, loads, stores)
    return result


def _part_of(stmt: ast.stmt, whole: str, k: int) -> str | None:
    """The target of `name = whole[k]`, or None."""
    if (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Subscript)
        and isinstance(stmt.value.value, ast.Name)
        and stmt.value.value.id == whole
        and isinstance(stmt.value.slice, ast.Constant)
        and stmt.value.slice.value == k
    ):
        return stmt.targets[0].id
    return None


def resugar_unpacking(body: list[ast.stmt], temps: set[str]) -> list[ast.stmt]:
    """`_f1 = f(x); a = _f1[0]; b = _f1[1]` -> `a, b = f(x)`, when `_f1` is read nowhere else."""
    loads: dict[str, int] = {}
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                loads[n.id] = loads.get(n.id, 0) + 1
    out: list[ast.stmt] = []
    i = 0
    while i < len(body):
        stmt = body[i]
        whole = (
            stmt.targets[0].id
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
            else None
        )
        if whole in temps:
            names = []
            while i + 1 + len(names) < len(body):
                name = _part_of(body[i + 1 + len(names)], whole, len(names))
                if name is None:
                    break
                names.append(name)
            if len(names) >= 2 and loads.get(whole) == len(names):
                target = ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())
                out.append(ast.copy_location(ast.Assign([target], stmt.value), stmt))
                i += 1 + len(names)
                continue
        out.append(stmt)
        i += 1
    return out


def optimize(unit: Unit) -> Unit:
    """Dead-code elimination, inlining of single-use temporaries, tuple unpacking restored."""
    if not unit.optimize:
        return unit
    fdef = unit.generated
    body = eliminate_dead_code(fdef.body)
    body = inline_temporaries(body, unit.names.temps)
    fdef.body = _tidy_comments(resugar_unpacking(body, unit.names.temps))
    return unit


def _tidy_comments(body: list[ast.stmt]) -> list[ast.stmt]:
    """Of comments left next to each other by inlining, keep the one nearest its code."""
    for stmt in body:
        for block in child_blocks(stmt):
            block[:] = _tidy_comments(block) or [ast.Pass()]
    return [s for i, s in enumerate(body) if _worth_keeping(s, body[i + 1 : i + 2])]
