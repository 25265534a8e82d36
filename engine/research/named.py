"""Named guards: each symbolic tuple's condition as one Boolean, defined once (for the z3 encoding).

A tuple's guard is the whole derivation behind it — every rule and fact it
rests on. Read by later rules, it would be copied into each formula that reads
the tuple, and z3 would walk it again in every substitution and every query.
Instead each merged tuple gets a name, ``p!3``, and the definition
``p!3 == guard``; formulas refer to the name. A query needs only the
definitions its formula reaches (:meth:`NamedGuards.definitions`), so the
solver sees what it saw before, shared.

Which names a term reads is what a depth-first walk of its connectives (And, Or,
Not, a quantifier's body) finds, in the order found: the names found below a
term are those below its last argument, then those below the one before it
that were not found yet, and so on (:func:`_joined`). So each term's names are
worked out once, however many guards share it, from its parts' — from the
skeletons the terms built by :mod:`.symbolic_values` and :mod:`.families` keep
(:data:`~lexkb.research.symbolic_values.SKELETON`), without z3, and by a walk
in z3 for terms built elsewhere.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from itertools import chain
from typing import Any

import z3

from lexkb.research import z3_calls
from lexkb.research.symbolic_values import Guard, Skeleton, skeleton

Reads = tuple[int, ...]  # the ids of the names a term reads, in the order a walk of it finds them


class NamedGuards:
    """The names given to guards, their definitions, and which names each definition reads."""

    def __init__(self) -> None:
        self._definitions: dict[int, tuple[z3.BoolRef, z3.BoolRef]] = {}  # by the name's id: (definition, guard)
        # Which names each definition reads, found when a query first reaches it: walking every guard
        # when it is named was a fifth of the time of encoding kb/, for definitions most queries never reach.
        self._needs: dict[int, Reads] = {}
        # What each part of a definition's guard reads, kept for the next guard that shares it (on kb/
        # the guards hold 162,000 distinct terms, 424,000 counted once per guard): by the id of its skeleton
        # (symbolic_values.SKELETON: a tuple, a name's id, or a term that stands for itself), and by z3's id
        # for the terms walked in z3. Only what the guards keep alive is kept here: an id is not reused while
        # its object lives.
        self._by_shape: dict[int, Reads] = {}
        self._by_term: dict[int, Reads] = {}

    def name(self, label: str, guard: Guard) -> Guard:
        """A Boolean standing for ``guard`` (plain True/False and lone Booleans are kept as they are)."""
        if isinstance(guard, bool) or z3.is_const(guard):
            return guard
        name = z3.Bool(f"{label}.{len(self._definitions)}")
        context = name.ctx
        if z3_calls.plain_boolean(guard):  # ``name == guard``, through the C API unchecked (two Booleans: cannot fail)
            definition = z3_calls.boolean(z3_calls.mk_eq(context.ctx, name.ast, guard.ast), context)
        else:  # a quantifier: Python asks its (sub)class first, and ``==`` builds ``guard == name``, kept so
            definition = name == guard
        key = z3_calls.get_ast_id(context.ctx, name.ast)
        self._definitions[key] = (definition, guard)
        name.lexkb_skeleton = key  # (symbolic_values.SKELETON)
        if self._by_shape or self._by_term:
            # What was found before this name existed is looked for again, as a walk of each guard would (kb/
            # names every guard before its first question, so this costs nothing there).
            self._by_shape.clear()
            self._by_term.clear()
        return name

    def definitions(self, *formulas: Guard) -> list[z3.BoolRef]:
        """The definitions of the names the formulas depend on, directly or through other names."""
        out: list[z3.BoolRef] = []
        seen: set[int] = set()
        # The formulas' own terms may be freed after this call, and their ids reused: what they read is
        # kept for this call only (what the definitions' terms read is looked up, those live on).
        by_shape: MutableMapping[int, Reads] = ChainMap({}, self._by_shape)
        by_term: MutableMapping[int, Reads] = ChainMap({}, self._by_term)
        todo = [key for formula in formulas for key in self._reads(formula, by_shape, by_term)]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            definition, guard = self._definitions[key]
            out.append(definition)
            needs = self._needs.get(key)
            if needs is None:
                needs = self._needs[key] = self._reads(guard, self._by_shape, self._by_term)
            todo.extend(needs)
        return out

    def all_since(self, count: int) -> list[z3.BoolRef]:
        """Every definition made after the first ``count`` (in the order they were made): for a solver
        that is given each definition once and asked many questions."""
        return [definition for definition, _ in list(self._definitions.values())[count:]]

    def __len__(self) -> int:
        return len(self._definitions)

    def _reads(self, formula: Guard, found: MutableMapping[int, Reads], by_term: MutableMapping[int, Reads]) -> Reads:
        """The names ``formula`` reads: from its skeleton (no z3 call; each skeleton by its id, as the
        skeletons keep each other alive), the terms without one walked in z3."""
        if isinstance(formula, bool):
            return ()
        root = skeleton(formula)
        known = found.__getitem__
        todo: list[Skeleton] = [root]
        while todo:  # depth first: a skeleton, then (after _ALL_BELOW) its names once its parts' are known
            shape = todo.pop()
            if shape is _ALL_BELOW:
                shape = todo.pop()
                # (map and filter: no Python loop per part, in what is most of the time of finding definitions)
                found[id(shape)] = known(id(shape[0])) if len(shape) == 1 else _joined(
                    list(filter(None, map(known, map(id, reversed(shape))))))
                continue
            key = id(shape)
            if key in found:
                continue
            if type(shape) is int:  # a name, of these definitions or not (then it is just a Boolean)
                found[key] = (shape,) if shape in self._definitions else ()
            elif type(shape) is not tuple:  # a term that stands for itself: walked in z3
                found[key] = self._walk(shape, by_term)
            elif not shape:
                found[key] = ()
            else:
                todo.append(shape)
                todo.append(_ALL_BELOW)
                todo.extend(shape)  # (those known already are passed over when taken)
        return found[id(root)]

    def _walk(self, formula: z3.BoolRef, found: MutableMapping[int, Reads]) -> Reads:
        """The names ``formula`` reads, walked through z3's C API on raw terms, without its error checks
        (:mod:`.z3_calls`): Python wrappers for each subterm (``children()``) were half the time of encoding
        kb/. The formula keeps its subterms alive for the walk, so no reference counts are taken."""
        context = formula.ctx.ref()
        definitions = self._definitions
        root = formula.as_ast()
        root_key = z3_calls.get_ast_id(context, root)
        below: dict[int, list[tuple[int, Any]]] = {}  # the (id, term) of what each term's names come from
        todo: list[tuple[int, Any]] = [(root_key, root)]
        while todo:  # depth first, a term's names once all its arguments' are known
            key, term = todo[-1]
            if key in found:
                todo.pop()
                continue
            if key in definitions:
                found[key] = (key,)
                todo.pop()
                continue
            parts = below.get(key)
            if parts is None:
                parts = below[key] = _below(context, term)
            waiting = [part for part in parts if part[0] not in found]
            if waiting:
                todo.extend(waiting)
                continue
            todo.pop()
            found[key] = _joined([reads for reads in (found[part] for part, _ in reversed(parts)) if reads])
        return found[root_key]


def _below(context: Any, term: Any) -> list[tuple[int, Any]]:
    """The (id, term) of the terms names in ``term`` are found in: a connective's arguments, a
    quantifier's body (a family closed over its bounded integer, families.py), nothing else — names
    are only combined by connectives (and quantifiers): comparisons and values hold none."""
    kind = z3_calls.get_ast_kind(context, term)
    if kind == z3.Z3_QUANTIFIER_AST:
        terms = [z3_calls.get_quantifier_body(context, term)]
    elif kind == z3.Z3_APP_AST and z3_calls.get_decl_kind(
            context, z3_calls.get_app_decl(context, term)) in _CONNECTIVES:
        terms = [z3_calls.get_app_arg(context, term, i) for i in range(z3_calls.get_app_num_args(context, term))]
    else:
        return []
    return [(z3_calls.get_ast_id(context, sub), sub) for sub in terms]


def _joined(reads: list[Reads]) -> Reads:
    """The names read by a term whose parts read ``reads`` (those that read any), in the order a depth-first
    walk finds them: each part's in turn, without those found already (``reads`` in the order the walk
    takes the parts: the last argument first)."""
    if len(reads) <= 1:
        return reads[0] if reads else ()
    return tuple(dict.fromkeys(chain.from_iterable(reads)))


_CONNECTIVES = frozenset({z3.Z3_OP_AND, z3.Z3_OP_OR, z3.Z3_OP_NOT})
_ALL_BELOW = object()  # in NamedGuards._reads' stack: the term under it has had its parts looked at
