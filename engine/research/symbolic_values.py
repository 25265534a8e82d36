"""Values, guards and input slots as z3 terms, with the language's value rules.

Values are one z3 datatype, so a column may mix kinds as the language allows
(``table_range(…, 360, life)``): ``int(n)``, ``dec(real)`` (a decimal that is
not a whole number: each number has one representation, so ``3 = 3.0`` as in
the engine), ``date(day number)``, ``sym(name)``, ``text(chars)``. Symbols and strings are z3 strings: only
equality matters to the engine, so the domain is exact.

A *term* here is a plain value or a z3 expression of sort Value; a *guard* is
True, False or a z3 Bool. Plain operands are computed in Python, so formulas
only grow where an input is involved. Comparisons and arithmetic follow
:mod:`lexkb.compile.semantics`: its tables give the operators (they work on z3
integers as on Python ones) and the ordered kinds, each encoded below by its
tester and its integer field.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import z3

from lexkb.compile.semantics import ARITHMETIC, FUNCTIONS, ORDERINGS, compare
from lexkb.compile.semantics import arithmetic as plain_arithmetic
from lexkb.compile.semantics import call as plain_call
from lexkb.research import z3_calls
from lexkb.values import Text, Value

Guard = Any  # True, False, or a z3 BoolRef
Term = Any  # a plain Value or a z3 expression of sort Value

MIN_DAY, MAX_DAY = datetime.date.min.toordinal(), datetime.date.max.toordinal()

SKELETON = z3_calls.SKELETON
"""The attribute in which a Boolean built here keeps its *skeleton*: what :mod:`.named` needs to find the
names it reads without walking it in z3 (a walk goes down connectives and quantifiers only, so the names
a term reads are fixed by its connectives down to its names and comparisons). A skeleton is:

- for a term built by ``conj``/``disj``/``neg`` (And/Or/Not): the tuple of its arguments' skeletons, in order;
- for a comparison: ``()`` (a walk does not look below it), as for connectives over comparisons only;
- for a name (:class:`lexkb.research.named.NamedGuards`): its id, which no container holds;
- for a substitution of parameters (:func:`lexkb.research.families.substitute`): the skeleton of the term
  substituted into (parameters are never Booleans: the connectives and names stay where they were);
- for a term without one recorded (a name, a term built elsewhere): the term itself, walked when needed.

Kept as tuples of ids rather than as the parts' Python objects: keeping those alive (170,000 on kb/) tripled
the time of the garbage collector during encoding, which only leaves alone a tuple of numbers and such tuples.
"""

Skeleton = Any  # tuple[Skeleton, ...], a name's id, or a z3 Boolean that stands for itself


def skeleton(term: Guard) -> Skeleton:
    """``term``'s skeleton (see SKELETON)."""
    return getattr(term, SKELETON, term)


def reads_no_name(term: z3.BoolRef) -> z3.BoolRef:
    """``term``, recorded as reading no name (SKELETON ``()``): for a comparison, connectives over
    comparisons, or a Boolean that is not a name, built with z3's own operators."""
    term.lexkb_skeleton = ()
    return term


def _value_sort() -> z3.DatatypeSortRef:
    value = z3.Datatype("Value")
    value.declare("int_", ("num", z3.IntSort()))
    value.declare("dec_", ("real", z3.RealSort()))  # a decimal that is not a whole number (see number_value)
    value.declare("date_", ("day", z3.IntSort()))
    value.declare("sym_", ("name", z3.StringSort()))
    value.declare("text_", ("chars", z3.StringSort()))
    return value.create()


V = _value_sort()

# Each kind the semantics orders, as z3 sees it: its tester and the integer it is ordered by. Numbers
# (int and Decimal) are ordered together, by value: see _number_view.
_ORDERED_ENCODING: dict[type, tuple[Any, Any]] = {int: (V.is_int_, V.num), datetime.date: (V.is_date_, V.day)}

DECIMAL_PLACES = 9
"""A decimal input in the encoding has at most this many places, so that every witness is a decimal."""


def number_value(real: Any) -> z3.ExprRef:
    """A z3 real as a Value, one representation per number: a whole number is ``int_`` and only a
    fraction is ``dec_``, so that equal numbers are equal Values (``3 = 3.0``, as in the engine)."""
    return z3.If(z3.IsInt(real), V.int_(z3.ToInt(real)), V.dec_(real))


def _number_view(term: Term) -> tuple[Guard, Any]:
    """(the condition that ``term`` is a number, its value as a z3 Int or Real). An integer stays an Int
    (integer programs are encoded as before); only a term that may be a decimal is read as a Real."""
    if not symbolic(term):
        if type(term) is int:
            return True, _int_val(term)
        if type(term) is Decimal:
            return True, z3.RealVal(str(term))
        return False, z3.IntVal(0)
    made = _constructor(term)
    if made in ("int_", "dec_"):
        return True, term.arg(0)
    if made is not None:  # a date, symbol or text by construction: never a number (its testers would say so)
        return False, z3.IntVal(0)
    number = z3.Or(V.is_int_(term), V.is_dec_(term))
    number.lexkb_skeleton = ((), ())  # (SKELETON) an Or of two tests of a kind, which a walk does not look below
    return number, z3.If(V.is_int_(term), z3.ToReal(V.num(term)), V.real(term))


@functools.lru_cache(maxsize=1 << 16)
def _int_val(n: int) -> z3.IntNumRef:
    return z3.IntVal(n)


def const(value: Value) -> z3.ExprRef:
    """A plain value as a z3 Value (memoised: building z3 terms is the encoding's main cost)."""
    return _const(value)


@functools.lru_cache(maxsize=1 << 16, typed=True)  # typed: 1, Decimal(1) and True are different keys
def _const(value: Value) -> z3.ExprRef:
    if isinstance(value, bool):
        raise TypeError("booleans are not lexkb values")
    if isinstance(value, int):
        return V.int_(z3.IntVal(value))
    if isinstance(value, Decimal):
        return V.int_(z3.IntVal(int(value))) if value == value.to_integral_value() else V.dec_(z3.RealVal(str(value)))
    if isinstance(value, datetime.date):
        return V.date_(z3.IntVal(value.toordinal()))
    if isinstance(value, Text):
        return V.text_(z3.StringVal(str(value)))
    return V.sym_(z3.StringVal(value))


def symbolic(term: Term) -> bool:
    return isinstance(term, z3.ExprRef)


def zv(term: Term) -> z3.ExprRef:
    return term if symbolic(term) else const(term)


def conj(*guards: Guard) -> Guard:
    parts = []
    for guard in guards:
        if guard is False:
            return False
        if guard is True:
            continue
        parts.append(guard)
    if not parts:
        return True
    return parts[0] if len(parts) == 1 else _connect(z3_calls.mk_and, parts)


class Later(NamedTuple):
    """``conj(before, *parts)``, not built yet (:func:`later`): a state's guard while the tests after a
    scan may still drop the state."""

    before: Guard  # a guard, or a Later
    parts: tuple[Guard, ...]


def later(guard: Guard, *parts: Guard) -> Guard:
    """``conj(guard, *parts)`` as a :class:`Later`, or False when it is False (a part is False), built
    only by :func:`built`. A scan makes a state per match, and the tests that follow drop most of them
    (on kb/, 69,000 of 97,000 tests): their conjunctions, built first, were 70,000 of the 190,000 built."""
    if guard is False:
        return False
    for part in parts:
        if part is False:
            return False
    return Later(guard, parts)


def built(guard: Guard) -> Guard:
    """A guard with its :class:`Later` conjunctions built, innermost first: the very terms that
    ``conj`` would have built at once."""
    if type(guard) is not Later:
        return guard
    return conj(built(guard.before), *guard.parts)


def disj(guards: Iterable[Guard]) -> Guard:
    parts = []
    for guard in guards:
        if guard is True:
            return True
        if guard is False:
            continue
        parts.append(guard)
    if not parts:
        return False
    return parts[0] if len(parts) == 1 else _connect(z3_calls.mk_or, parts)


def _connect(make: Any, parts: list[z3.BoolRef]) -> z3.BoolRef:
    """``And``/``Or`` of Booleans through z3's C API, unchecked (:mod:`.z3_calls`): the guards are Booleans
    of one context already, so z3.And's coercion and sort checks (most of the encoding's time in Python)
    are skipped, and the call cannot fail."""
    context = parts[0].ctx
    array = (z3.Ast * len(parts))(*[p.ast for p in parts])
    term = z3_calls.boolean(make(context.ctx, len(parts), array), context)
    term.lexkb_skeleton = tuple([getattr(p, SKELETON, p) for p in parts])  # (SKELETON, inlined: called 190,000 times on kb/)
    return term


def neg(guard: Guard) -> Guard:
    if guard is True:
        return False
    if guard is False:
        return True
    context = guard.ctx  # a z3 Bool: its negation cannot fail (z3.Not would cast and check it first)
    term = z3_calls.boolean(z3_calls.mk_not(context.ref(), guard.ast), context)
    term.lexkb_skeleton = (getattr(guard, SKELETON, guard),)  # (SKELETON)
    return term


def veq(a: Term, b: Term) -> Guard:
    if not isinstance(a, _EXPR):
        if not isinstance(b, _EXPR):
            return bool(a == b)
        a = _const(a)
    elif not isinstance(b, _EXPR):
        b = _const(b)
    elif a.ctx is b.ctx and _ast_id(a.ctx.ctx, a.ast) == _ast_id(a.ctx.ctx, b.ast):
        # Two symbolic terms, the same one (a.eq(b), by ids unchecked): equal. A plain value's
        # term is not compared so: its equality is built as it always was.
        return True
    context = a.ctx
    if context is not b.ctx:
        return a == b
    ref = context.ctx
    x, y = a.ast, b.ast
    if _get_sort(ref, x).value != _get_sort(ref, y).value:
        return a == b  # terms of two sorts (never two Values): z3's coercion, as before
    # Two terms of one sort (Values): their equality cannot fail, built without ``==``'s coercion and checks.
    term = z3_calls.boolean(z3_calls.mk_eq(ref, x, y), context)
    term.lexkb_skeleton = ()  # (SKELETON) a comparison
    return term


def term_key(term: Term) -> tuple:
    """A hashable identity for a term: plain values by kind and value, z3 terms by their id."""
    if isinstance(term, _EXPR):  # (called some 700,000 times on kb/: module constants, no attribute lookups)
        return ("z", _ast_id(term.ctx.ctx, term.ast))
    return ("c", type(term).__name__, term)


_EXPR = z3.ExprRef
_ast_id = z3_calls.get_ast_id
_get_sort = z3_calls.get_sort


_CONSTRUCTORS = {V.constructor(i).get_id(): V.constructor(i).name() for i in range(V.num_constructors())}


def _constructor(term: z3.ExprRef) -> str | None:
    """The name of the Value constructor ``term`` is an application of (``int_``…), None when it is not one.

    A term built by a constructor has that kind whatever its arguments: a comparison with it need not
    ask z3 about the other kinds (``is_date_(int_(x))`` is false), which saves building those terms."""
    # Raw C API, unchecked (:mod:`.z3_calls`): the term keeps its declaration alive; a declaration's
    # pointer is its term's (Z3_func_decl_to_ast is a cast).
    context, ast = term.ctx.ref(), term.ast
    if z3_calls.get_ast_kind(context, ast) != z3.Z3_APP_AST:
        return None
    return _CONSTRUCTORS.get(z3_calls.get_ast_id(context, z3_calls.get_app_decl(context, ast)))


_CONTEXT = z3.main_ctx()
_ORDERINGS_C = {"<": z3.Z3_mk_lt, "<=": z3.Z3_mk_le, ">": z3.Z3_mk_gt, ">=": z3.Z3_mk_ge}
_REFLECTED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _integer_operand(term: Term) -> tuple[z3.ExprRef, Any] | None:
    """The z3 integer a term that is an integer by construction stands for (a plain int: its numeral;
    ``int_(x)``: ``x``), None for any other term: a term that keeps it alive, and it raw."""
    if not symbolic(term):
        if type(term) is not int:
            return None
        numeral = _int_val(term)
        return numeral, numeral.as_ast()
    if term.ctx is not _CONTEXT or _constructor(term) != "int_":
        return None
    return term, z3.Z3_get_app_arg(_CONTEXT.ref(), term.as_ast(), 0)


def _has_kind(kind: type, term: Term) -> Guard:
    return type(term) is kind if not symbolic(term) else _ORDERED_ENCODING[kind][0](term)


def _ordinal(kind: type, term: Term) -> z3.ArithRef:
    """The integer a value of an ordered kind is ordered by (a date's day number)."""
    if symbolic(term):
        return _ORDERED_ENCODING[kind][1](term)
    return z3.IntVal(term.toordinal() if kind is datetime.date else term)


def sym_compare(op: str, a: Term, b: Term) -> Guard:
    """A comparison on symbolic terms, with the engine's semantics."""
    if not symbolic(a) and not symbolic(b):
        return compare(op, a, b)
    if op == "=":
        return veq(a, b)
    if op == "!=":
        return neg(veq(a, b))
    x_int, y_int = _integer_operand(a), _integer_operand(b)
    if x_int is not None and y_int is not None:
        # Two integers by construction (a plain int, or int_(x)): the comparison is the ordering of their
        # integers, the very term the general case below builds (numbers True, dates False), built
        # through the C API: z3's Python operators check and coerce their operands at length.
        context = _CONTEXT.ref()
        if z3.Z3_get_ast_kind(context, y_int[1]) == z3.Z3_NUMERAL_AST != z3.Z3_get_ast_kind(context, x_int[1]):
            # As Python does for ``x > 5``: a numeral's class (IntNumRef) subclasses ArithRef, so its
            # reflected operator is tried first, and z3 built ``5 < x``. The same term is built here.
            ordered = z3.BoolRef(_ORDERINGS_C[_REFLECTED[op]](context, y_int[1], x_int[1]), _CONTEXT)
        else:
            ordered = z3.BoolRef(_ORDERINGS_C[op](context, x_int[1], y_int[1]), _CONTEXT)
        ordered.lexkb_skeleton = ()  # (SKELETON) a comparison
        return ordered
    number_a, x = _number_view(a)
    number_b, y = _number_view(b)
    numbers = conj(number_a, number_b)
    if numbers is not False and (x.is_real() or y.is_real()):  # a decimal, or a term that may be one
        numbers = conj(numbers, ORDERINGS[op](z3.ToReal(x) if x.is_int() else x, z3.ToReal(y) if y.is_int() else y))
    elif numbers is not False:
        numbers = conj(numbers, ORDERINGS[op](x, y))
    dates = False
    if all(_constructor(t) in (None, "date_") if symbolic(t) else type(t) is datetime.date for t in (a, b)):
        dates = conj(_has_kind(datetime.date, a), _has_kind(datetime.date, b),
                     ORDERINGS[op](_ordinal(datetime.date, a), _ordinal(datetime.date, b)))
    compared = disj((numbers, dates))
    if not isinstance(compared, bool):
        # (SKELETON) connectives over tests of a kind and comparisons only, which a walk does not look below
        compared.lexkb_skeleton = ()
    return compared


def sym_arithmetic(operator: str, a: Term, b: Term, *guards: Guard) -> tuple[Term, Guard]:
    """``a op b`` (``op`` an arithmetic operator or ``min``/``max``) and the condition for it to have a value.

    ``guards``: the conditions for the operands to have one.
    """
    number_a, x = _number_view(a)
    number_b, y = _number_view(b)
    guard = conj(*guards, number_a, number_b)
    if guard is False:
        return 0, False
    if not symbolic(a) and not symbolic(b):
        value = plain_arithmetic(operator, a, b) if operator in ARITHMETIC else plain_call(operator, a, b)
        return value, guard
    if operator in ARITHMETIC:
        result = ARITHMETIC[operator](x, y)
    else:
        result = z3.If(ORDERINGS[FUNCTIONS[operator]](x, y), x, y)
    return (number_value(result) if result.is_real() else V.int_(result)), guard


# ---------------------------------------------------------------- inputs


@dataclass
class Slot:
    """One symbolic input fact: present or not, with typed values."""

    predicate: str
    present: z3.BoolRef
    values: tuple[z3.ExprRef, ...]  # z3 Values
    raw: tuple[z3.ExprRef, ...]  # the underlying Int/String variables
    types: tuple[str, ...]


def make_slot(predicate: str, types: Sequence[str], name: str) -> tuple[Slot, list[z3.BoolRef]]:
    """A fresh slot and the constraints its values obey (dates in range)."""
    raw: list[z3.ExprRef] = []
    values: list[z3.ExprRef] = []
    constraints: list[z3.BoolRef] = []
    for i, type_name in enumerate(types):
        var_name = f"{name}.{i}"
        if "|" in type_name:  # a choice of kinds, e.g. int|symbol: any Value of those kinds
            var = z3.Const(var_name, V)
            values.append(var)
            constraints.append(z3.Or([is_kind(part, var) for part in type_name.split("|")]))
            raw.append(var)
            continue
        if type_name == "int":
            var = z3.Int(var_name)
            values.append(V.int_(var))
        elif type_name == "decimal":  # a number with at most DECIMAL_PLACES places, whole or not
            var = z3.Real(var_name)
            values.append(number_value(var))
            constraints.append(z3.IsInt(var * 10 ** DECIMAL_PLACES))
        elif type_name == "date":
            var = z3.Int(var_name)
            values.append(V.date_(var))
            constraints += [var >= MIN_DAY, var <= MAX_DAY]
        elif type_name == "string":
            var = z3.String(var_name)
            values.append(V.text_(var))
        else:
            var = z3.String(var_name)
            values.append(V.sym_(var))
            constraints.append(z3.Length(var) >= 1)
        raw.append(var)
    present = reads_no_name(z3.Bool(f"{name}.present"))  # (not a name: without its skeleton, every guard that
    # reads it would hold it, and the garbage collector would look at each of their skeletons again and again)
    return Slot(predicate, present, tuple(values), tuple(raw), tuple(types)), constraints


_KIND_TESTER = {"int": V.is_int_, "decimal": lambda v: z3.Or(V.is_int_(v), V.is_dec_(v)), "date": V.is_date_,
                "symbol": V.is_sym_, "string": V.is_text_}
_KIND_FIELD = {"int": V.num, "decimal": lambda v: z3.If(V.is_int_(v), z3.ToReal(V.num(v)), V.real(v)), "date": V.day,
               "symbol": V.name, "string": V.chars}


def is_kind(kind: str, value: z3.ExprRef) -> z3.BoolRef:
    """Whether a z3 Value is a valid value of the kind named (dates in range, symbols not empty)."""
    test = _KIND_TESTER[kind](value)
    if kind == "date":
        return z3.And(test, V.day(value) >= MIN_DAY, V.day(value) <= MAX_DAY)
    if kind == "symbol":
        return z3.And(test, z3.Length(V.name(value)) >= 1)
    if kind == "decimal":  # a fraction only as dec_ (one representation per number), with few places
        fraction = V.real(value)
        return z3.Or(V.is_int_(value), z3.And(V.is_dec_(value), z3.Not(z3.IsInt(fraction)),
                                               z3.IsInt(fraction * 10 ** DECIMAL_PLACES)))
    return test


def model_value(model: z3.ModelRef, slot: Slot, position: int, rename: dict[str, str],
                known: set[str]) -> Value:
    """The value a model gives one argument of a slot, symbols outside the rules renamed.

    Witnesses rename any symbol the rules never mention (not in ``known``) to
    ``other``, ``other2``, …: z3 picks arbitrary strings for them.
    """
    raw = model.eval(slot.raw[position], model_completion=True)
    kind = slot.types[position]
    if "|" in kind:  # a choice of kinds: find the one the model picked, then read it as that kind
        kind = next(part for part in kind.split("|") if z3.is_true(model.eval(is_kind(part, raw))))
        raw = model.eval(_KIND_FIELD[kind](raw), model_completion=True)
    if kind == "int":
        return raw.as_long()  # type: ignore[union-attr]
    if kind == "decimal":
        return _decimal_of(raw)
    if kind == "date":
        return datetime.date.fromordinal(raw.as_long())  # type: ignore[union-attr]
    text = raw.as_string()  # type: ignore[union-attr]
    if kind == "string":
        return Text(text)
    if text in known:
        return text
    if text not in rename:
        n = len(rename) + 1
        name = "other" if n == 1 else f"other{n}"
        while name in known:
            n += 1
            name = f"other{n}"
        rename[text] = name
    return rename[text]


def _decimal_of(raw: Any) -> Value:
    """A model's real (at most DECIMAL_PLACES places) as the engine's value: an int when whole."""
    numerator, denominator = raw.numerator_as_long(), raw.denominator_as_long()
    if denominator == 1:
        return int(numerator)
    scale = 10 ** DECIMAL_PLACES
    exact = Decimal(numerator * (scale // denominator)).scaleb(-DECIMAL_PLACES)
    return exact.normalize() if exact.normalize().as_tuple().exponent < 0 else exact  # type: ignore[operator]
