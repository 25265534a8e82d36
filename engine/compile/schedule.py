"""Order a branch's literals so every variable is bound before it is used.

The order is also the join order the engine compiles: filters as early as
their variables allow, then the atom with the most bound arguments. A branch
for which no order exists has an unsafe variable, reported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.errors import CheckError
from lexkb.language import ast


@dataclass(frozen=True)
class Step:
    """One step of a branch's plan.

    kind: ``scan`` (match a positive atom, binding ``binds``), ``bind``
    (``?var = expr``), ``test`` (a comparison on bound values) or ``absent``
    (a `not` on bound values).
    """

    kind: str
    index: int  # position of the literal in branch.literals
    binds: tuple[str, ...]


def _vars(term: ast.Term) -> set[str]:
    return set(ast.term_variables(term))


def schedule(branch: Branch, first: int | None = None) -> list[Step]:
    """A safe evaluation order for ``branch``; ``first`` forces a scan to lead."""
    bound: set[str] = set()
    remaining = list(range(len(branch.literals)))
    steps: list[Step] = []

    def take(kind: str, index: int, binds: set[str] | list[str]) -> None:
        ordered = tuple(v for v in dict.fromkeys(_literal_vars(branch, index)) if v in binds)
        steps.append(Step(kind, index, ordered))
        bound.update(binds)
        remaining.remove(index)

    if first is not None:
        atom = branch.literals[first].atom  # type: ignore[union-attr]
        if not _scannable(atom, bound):
            raise CheckError("internal: the leading atom of a delta plan must be scannable", atom.span)
        take("scan", first, _atom_binds(atom, bound))
    while remaining:
        chosen = False
        for index in remaining:  # filters first
            literal = branch.literals[index]
            if isinstance(literal, Test):
                left, right = literal.comparison.left, literal.comparison.right
                if _vars(left) | _vars(right) <= bound:
                    take("test", index, set())
                    chosen = True
                    break
                if literal.comparison.op == "=" and not literal.negated:
                    for lone, other in ((left, right), (right, left)):
                        if isinstance(lone, ast.Variable) and lone.name not in bound and _vars(other) <= bound:
                            take("bind", index, {lone.name})
                            chosen = True
                            break
                    if chosen:
                        break
            elif isinstance(literal, Negative) and set(ast.term_variables_of_atom(literal.atom)) <= bound:
                take("absent", index, set())
                chosen = True
                break
        if chosen:
            continue
        best, best_score = None, -1
        for index in remaining:
            literal = branch.literals[index]
            if isinstance(literal, Positive) and _scannable(literal.atom, bound):
                score = sum(1 for a in literal.atom.args if _vars(a) <= bound)
                if score > best_score:
                    best, best_score = index, score
        if best is None:
            raise _unsafe(branch, bound, remaining)
        take("scan", best, _atom_binds(branch.literals[best].atom, bound))  # type: ignore[union-attr]
    for term in branch.head.args:
        missing = sorted(_vars(term) - bound)
        if missing:
            variable = _find_variable(term, missing[0])
            raise CheckError(
                f"the variable ?{missing[0]} in the conclusion of rule {branch.label} has no value: "
                "no condition of the rule gives it one",
                variable.span if variable else branch.head.span,
                hint=f"use ?{missing[0]} in a condition such as some_fact(?{missing[0]}), "
                     f"or give it a value with ?{missing[0]} = …")
    return steps


def _literal_vars(branch: Branch, index: int) -> list[str]:
    literal = branch.literals[index]
    node = literal.comparison if isinstance(literal, Test) else literal.atom
    return ast.condition_variables(node)


def _scannable(atom: ast.Atom, bound: set[str]) -> bool:
    """An atom can be matched if each argument is a variable or computable now."""
    return all(isinstance(a, (ast.Variable, ast.Constant)) or _vars(a) <= bound for a in atom.args)


def _atom_binds(atom: ast.Atom, bound: set[str]) -> set[str]:
    return {a.name for a in atom.args if isinstance(a, ast.Variable) and a.name not in bound}


def _find_variable(node: object, name: str) -> ast.Variable | None:
    if isinstance(node, ast.Variable):
        return node if node.name == name else None
    if isinstance(node, ast.Atom):
        children: tuple[object, ...] = node.args
    elif isinstance(node, (ast.Arithmetic, ast.Comparison)):
        children = (node.left, node.right)
    elif isinstance(node, ast.Call):
        children = node.args
    else:
        return None
    for child in children:
        found = _find_variable(child, name)
        if found:
            return found
    return None


def _unsafe(branch: Branch, bound: set[str], remaining: list[int]) -> CheckError:
    """The error for a branch that no order makes safe: the first variable that never gets a value."""
    for index in remaining:
        literal = branch.literals[index]
        node = literal.comparison if isinstance(literal, Test) else literal.atom
        missing = [v for v in ast.condition_variables(node) if v not in bound]
        if not missing:
            continue
        variable = _find_variable(node, missing[0])
        span = variable.span if variable else node.span
        if isinstance(literal, Negative):
            word = "unless" if literal.exception else "not"
            where = f"'{word} {literal.atom.predicate}'"
            why = f"'{word}' can only check values that the rule's other conditions find"
        elif isinstance(literal, Test):
            where, why = "a comparison", "a comparison can only compare values that the rule's conditions find"
        else:
            where = f"the condition {literal.atom.predicate}(…)"
            why = "arithmetic in a condition can only use values that the rule's other conditions find"
        return CheckError(
            f"the variable ?{missing[0]} in {where} of rule {branch.label} has no value: {why}",
            span,
            hint=f"use ?{missing[0]} in a condition such as some_fact(?{missing[0]}) too, "
                 f"or give it a value with ?{missing[0]} = …")
    return CheckError(f"rule {branch.label} cannot be ordered safely", branch.rule.span)
