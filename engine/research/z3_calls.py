"""z3's C functions without the error check after each call: for walks over hundreds of thousands of terms.

Each function of z3's low-level Python API (``z3.Z3_get_ast_id``…) calls the C
function, then asks z3 for its error code: two calls into the library where
one would do. Reading a live term's id, kind or arguments cannot fail, and
walking the named guards of kb/'s encoding this way took 1.9 s instead of 3.7 s.
The functions here are also called without z3's argument types (:func:`bare`).
"""

from __future__ import annotations

import ctypes
from _ctypes import CFuncPtr
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


def bare(function: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`unchecked`, and without argument types: a copy of the C function's pointer that keeps its
    result type only. z3 declares each argument's type (``ContextObj``, ``Ast``…), and ctypes converts
    each argument through that type's ``from_param``, a Python function: millions of calls while kb/ is
    encoded. Without argument types ctypes passes ctypes objects as they are, in C (a term's id read in
    0.35 µs instead of 0.45-0.5, an And of two terms built in 1.0 µs instead of 1.6).

    Only for calls given ctypes objects (a context, terms, an array of terms) and small Python ints
    (counts, indexes: passed as C ints): a Python int given for a pointer would be cut to 32 bits.
    """
    raw = unchecked(function)
    if not isinstance(raw, CFuncPtr):
        return raw
    address = ctypes.cast(raw, ctypes.c_void_p).value
    if address is None:
        return raw
    copy = type(raw)(address)
    copy.restype = raw.restype
    return copy


(get_ast_id, get_ast_kind, get_app_decl, get_decl_kind, get_app_num_args, get_app_arg, get_quantifier_body,
 get_sort, inc_ref) = map(bare, (z3.Z3_get_ast_id, z3.Z3_get_ast_kind, z3.Z3_get_app_decl, z3.Z3_get_decl_kind,
                                 z3.Z3_get_app_num_args, z3.Z3_get_app_arg, z3.Z3_get_quantifier_body,
                                 z3.Z3_get_sort, z3.Z3_inc_ref))
# Building terms: only for arguments of the sorts these take, all of one context (then they cannot fail).
mk_and, mk_or, mk_not, mk_eq = map(bare, (z3.Z3_mk_and, z3.Z3_mk_or, z3.Z3_mk_not, z3.Z3_mk_eq))
dec_ref = bare(z3.Z3_dec_ref)


class Boolean(z3.BoolRef):
    """A z3 Boolean that gives its reference back unchecked when freed (see :func:`boolean`).

    ``z3.AstRef.__del__`` calls ``ctx.ref()`` twice, ``as_ast()`` and the checked ``Z3_dec_ref``
    (the C function through a Python ``from_param`` per argument, then the error code): 320,000
    times while kb/'s encoding was built. Here the same guards (a context not yet deleted, a
    reference held, z3's functions not yet torn down at exit), then the bare C call: a term made
    and freed in 1.4 µs instead of 1.85 (best of 15 runs of 300,000).

    A subclass of ``z3.BoolRef``: code that asks ``type(term) is z3.BoolRef`` must ask
    :func:`plain_boolean` instead.
    """

    ast: Any  # (z3's own attributes, set by boolean)
    ctx: z3.Context

    def __del__(self) -> None:
        ast = self.ast
        if ast is not None and dec_ref is not None:
            context = self.ctx.ctx  # (self.ctx.ref(), without the call: None once the context is deleted)
            if context is not None:
                dec_ref(context, ast)
                self.ast = None


def boolean(raw: Any, context: z3.Context) -> z3.BoolRef:
    """A Python term for a Boolean z3 just built, as ``z3.BoolRef(raw, context)`` makes it (the
    reference taken at once, before anything can free the term), without the checked ``Z3_inc_ref``:
    a :class:`Boolean`, which gives the reference back unchecked too."""
    term = _new(Boolean)
    term.ast = raw
    term.ctx = context
    inc_ref(context.ctx, raw)  # (context.ctx is context.ref(), without the call)
    return term


_new = z3.BoolRef.__new__


def plain_boolean(term: object) -> bool:
    """Whether ``term`` is a Boolean of z3's own class or a :class:`Boolean`: a z3 Bool that is not a
    quantifier (``z3.QuantifierRef`` is a subclass too)."""
    kind = type(term)
    return kind is Boolean or kind is z3.BoolRef


def connective(term: z3.ExprRef) -> int | None:
    """The kind of ``term``'s operator (``z3.Z3_OP_OR``…) when it is an application, else None:
    ``z3.is_or`` and the like make a Python declaration for each question."""
    context, ast = term.ctx.ref(), term.ast
    if get_ast_kind(context, ast) != z3.Z3_APP_AST:
        return None
    return int(get_decl_kind(context, get_app_decl(context, ast)))


SKELETON = "lexkb_skeleton"  # the attribute a term keeps its skeleton in: see symbolic_values.SKELETON


def bool_children(term: z3.BoolRef) -> list[z3.BoolRef]:
    """The parts of a conjunction or disjunction, as ``term.children()`` gives them (a quantifier as a
    QuantifierRef, any other part a BoolRef), without z3's per-child checks of kind and sort.

    Each part is given its skeleton from ``term``'s, when it has one (``lexkb_skeleton``: see
    symbolic_values.SKELETON), so that what it reads is known without walking it in z3."""
    context = term.ctx
    ref, ast = context.ref(), term.ast
    count = get_app_num_args(ref, ast)
    skeletons = getattr(term, SKELETON, None)
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
