"""Named guards: each symbolic tuple's condition as one Boolean, defined once (for the z3 encoding).

A tuple's guard is the whole derivation behind it — every rule and fact it
rests on. Read by later rules, it would be copied into each formula that reads
the tuple, and z3 would walk it again in every substitution and every query.
Instead each merged tuple gets a name, ``p!3``, and the definition
``p!3 == guard``; formulas refer to the name. A query needs only the
definitions its formula reaches (:meth:`NamedGuards.definitions`), so the
solver sees what it saw before, shared.
"""

from __future__ import annotations

import z3

from lexkb.research import z3_calls
from lexkb.research.symbolic_values import Guard


class NamedGuards:
    """The names given to guards, their definitions, and which names each definition reads."""

    def __init__(self) -> None:
        self._definitions: dict[int, tuple[z3.BoolRef, z3.BoolRef]] = {}  # by the name's id: (definition, guard)
        # Which names each definition reads, found when a query first reaches it: walking every guard
        # when it is named was a fifth of the time of encoding kb/, for definitions most queries never reach.
        self._needs: dict[int, list[int]] = {}

    def name(self, label: str, guard: Guard) -> Guard:
        """A Boolean standing for ``guard`` (plain True/False and lone Booleans are kept as they are)."""
        if isinstance(guard, bool) or z3.is_const(guard):
            return guard
        name = z3.Bool(f"{label}.{len(self._definitions)}")
        context = name.ctx
        if type(guard) is z3.BoolRef:  # ``name == guard``, through the C API unchecked (two Booleans: cannot fail)
            definition = z3_calls.boolean(z3_calls.mk_eq(context.ctx, name.ast, guard.ast), context)
        else:  # a quantifier: Python asks its (sub)class first, and ``==`` builds ``guard == name``, kept so
            definition = name == guard
        self._definitions[z3_calls.get_ast_id(context.ctx, name.ast)] = (definition, guard)
        return name

    def definitions(self, *formulas: Guard) -> list[z3.BoolRef]:
        """The definitions of the names the formulas depend on, directly or through other names."""
        out: list[z3.BoolRef] = []
        seen: set[int] = set()
        todo = [key for formula in formulas for key in self._names_in(formula)]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            definition, guard = self._definitions[key]
            out.append(definition)
            needs = self._needs.get(key)
            if needs is None:
                needs = self._needs[key] = self._names_in(guard)
            todo.extend(needs)
        return out

    def all_since(self, count: int) -> list[z3.BoolRef]:
        """Every definition made after the first ``count`` (in the order they were made): for a solver
        that is given each definition once and asked many questions."""
        return [definition for definition, _ in list(self._definitions.values())[count:]]

    def __len__(self) -> int:
        return len(self._definitions)

    def _names_in(self, formula: Guard) -> list[int]:
        """The ids of the names ``formula`` refers to.

        Walked through z3's C API on raw terms, without its error checks (:mod:`.z3_calls`):
        Python wrappers for each subterm (``children()``) were half the time of encoding kb/. The formula keeps its
        subterms alive for the walk, so no reference counts are taken.
        """
        if isinstance(formula, bool):
            return []
        context = formula.ctx.ref()
        found: list[int] = []
        seen: set[int] = set()
        todo = [formula.as_ast()]
        while todo:
            term = todo.pop()
            key = z3_calls.get_ast_id(context, term)
            if key in seen:
                continue
            seen.add(key)
            if key in self._definitions:
                found.append(key)
                continue
            kind = z3_calls.get_ast_kind(context, term)
            if kind == z3.Z3_QUANTIFIER_AST:  # a family closed over its bounded integer (families.py)
                todo.append(z3_calls.get_quantifier_body(context, term))
            elif kind == z3.Z3_APP_AST and z3_calls.get_decl_kind(
                    context, z3_calls.get_app_decl(context, term)) in _CONNECTIVES:
                # Names are only combined by connectives (and quantifiers): comparisons and values hold none.
                todo.extend(z3_calls.get_app_arg(context, term, i)
                            for i in range(z3_calls.get_app_num_args(context, term)))
        return found


_CONNECTIVES = frozenset({z3.Z3_OP_AND, z3.Z3_OP_OR, z3.Z3_OP_NOT})
