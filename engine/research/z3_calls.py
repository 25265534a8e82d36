"""z3's C functions without the error check after each call: for walks over hundreds of thousands of terms.

Each function of z3's low-level Python API (``z3.Z3_get_ast_id``…) calls the C
function, then asks z3 for its error code: two calls into the library where
one would do. Reading a live term's id, kind or arguments cannot fail, and
walking the named guards of kb/'s encoding this way took 1.9 s instead of 3.7 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3


def unchecked(function: Callable[..., Any]) -> Callable[..., Any]:
    """The C function behind one of z3's low-level wrappers, called without the error check.

    z3's generated wrappers keep it as ``f`` of their last default argument; with any
    other shape (another z3 release) the wrapper itself is returned, checks and all.
    Only for calls that cannot fail on the arguments given.
    """
    defaults = getattr(function, "__defaults__", None) or ()
    raw = getattr(defaults[-1], "f", None) if defaults else None
    return raw if callable(raw) else function


get_ast_id = unchecked(z3.Z3_get_ast_id)
get_ast_kind = unchecked(z3.Z3_get_ast_kind)
get_app_decl = unchecked(z3.Z3_get_app_decl)
get_decl_kind = unchecked(z3.Z3_get_decl_kind)
get_app_num_args = unchecked(z3.Z3_get_app_num_args)
get_app_arg = unchecked(z3.Z3_get_app_arg)
get_quantifier_body = unchecked(z3.Z3_get_quantifier_body)
get_sort = unchecked(z3.Z3_get_sort)
inc_ref = unchecked(z3.Z3_inc_ref)
# Building terms: only for arguments of the sorts these take, all of one context (then they cannot fail).
mk_and = unchecked(z3.Z3_mk_and)
mk_or = unchecked(z3.Z3_mk_or)
mk_not = unchecked(z3.Z3_mk_not)
mk_eq = unchecked(z3.Z3_mk_eq)


def boolean(raw: Any, context: z3.Context) -> z3.BoolRef:
    """A Python term for a Boolean z3 just built, as ``z3.BoolRef(raw, context)`` makes it (the
    reference taken at once, before anything can free the term), without the checked ``Z3_inc_ref``."""
    term = _new(_BoolRef)
    term.ast = raw
    term.ctx = context
    inc_ref(context.ctx, raw)  # (context.ctx is context.ref(), without the call)
    return term


_BoolRef = z3.BoolRef
_new = z3.BoolRef.__new__


def connective(term: z3.ExprRef) -> int | None:
    """The kind of ``term``'s operator (``z3.Z3_OP_OR``…) when it is an application, else None:
    ``z3.is_or`` and the like make a Python declaration for each question."""
    context, ast = term.ctx.ref(), term.ast
    if get_ast_kind(context, ast) != z3.Z3_APP_AST:
        return None
    return int(get_decl_kind(context, get_app_decl(context, ast)))


def bool_children(term: z3.BoolRef) -> list[z3.BoolRef]:
    """The parts of a conjunction or disjunction, as ``term.children()`` gives them (a quantifier as a
    QuantifierRef, any other part a BoolRef), without z3's per-child checks of kind and sort.

    Each part is given its skeleton from ``term``'s, when it has one (``lexkb_skeleton``: see
    symbolic_values.SKELETON), so that what it reads is known without walking it in z3."""
    context = term.ctx
    ref, ast = context.ref(), term.ast
    count = get_app_num_args(ref, ast)
    skeletons = getattr(term, "lexkb_skeleton", None)
    if type(skeletons) is not tuple or len(skeletons) != count:
        skeletons = None
    out: list[z3.BoolRef] = []
    for i in range(count):
        raw = get_app_arg(ref, ast, i)
        part = z3.QuantifierRef(raw, context) if get_ast_kind(ref, raw) == z3.Z3_QUANTIFIER_AST else boolean(raw, context)
        if skeletons is not None:
            part.lexkb_skeleton = skeletons[i]
        out.append(part)
    return out


def term_id(term: z3.ExprRef) -> int:
    """``term.get_id()``, without z3's error check (which cannot fail for a live term)."""
    return int(get_ast_id(term.ctx.ctx, term.ast))
