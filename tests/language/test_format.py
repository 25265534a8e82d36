"""The printer: what format.py writes, the parser reads back as the same AST, for
every kind of node; strings keep newlines, quotes, backslashes and unicode;
terms and conditions carry only the parentheses their meaning needs."""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexkb.errors import Span
from lexkb.language import ast
from lexkb.language.format import (
    format_condition,
    format_exception,
    format_ground_atom,
    format_module,
    format_source,
    format_string,
    format_term,
    format_value,
    strip_spans,
)
from lexkb.language.parser import KEYWORDS, parse, parse_atom, parse_with_comments
from lexkb.values import Text, Value

NO_SPAN = Span("", 0, 0, 0, 0)

# ---------------------------------------------------------------- strategies, one per node kind

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: n not in KEYWORDS and n != ast.ANONYMOUS)  # a lone `_` is the anonymous variable
# A variable's name starts with a letter; `_` alone is the anonymous variable.
variable_names = st.one_of(st.just(ast.ANONYMOUS), names.filter(lambda n: not n.startswith("_")))
# Any text, with the characters a printer gets wrong drawn often.
texts = st.text(st.one_of(st.sampled_from('\n\t\r"\\\x00\x1b\x7f\x85é∀—“'), st.characters(blacklist_categories=("Cs",))),
                max_size=12)
values: st.SearchStrategy[Value] = st.one_of(
    st.integers(-10**12, 10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**9, max_value=10**9),
    st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)),
    texts.map(Text),
    names,
)
TERMS: dict[type, Any] = {
    ast.Variable: lambda inner: variable_names.map(lambda n: ast.Variable(n, NO_SPAN)),
    ast.Constant: lambda inner: values.map(lambda v: ast.Constant(v, NO_SPAN)),
    ast.Arithmetic: lambda inner: st.builds(lambda op, a, b: ast.Arithmetic(op, a, b, NO_SPAN),
                                            st.sampled_from("+-*"), inner, inner),
    ast.Call: lambda inner: st.builds(lambda f, a, b: ast.Call(f, (a, b), NO_SPAN),
                                      st.sampled_from(["min", "max"]), inner, inner),
}
leaf_terms = st.one_of(TERMS[ast.Variable](None), TERMS[ast.Constant](None))
terms = st.recursive(leaf_terms, lambda inner: st.one_of(TERMS[ast.Arithmetic](inner), TERMS[ast.Call](inner)),
                     max_leaves=6)
atoms = st.builds(lambda p, args: ast.Atom(p, tuple(args), NO_SPAN), names, st.lists(terms, max_size=3))
CONDITIONS: dict[type, Any] = {
    ast.Atom: lambda inner: atoms,
    ast.Comparison: lambda inner: st.builds(lambda op, a, b: ast.Comparison(op, a, b, NO_SPAN),
                                            st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), terms, terms),
    ast.Negation: lambda inner: inner.map(lambda c: ast.Negation(c, NO_SPAN)),
    ast.Conjunction: lambda inner: st.lists(inner, min_size=2, max_size=3).map(
        lambda cs: ast.Conjunction(tuple(cs), NO_SPAN)),
    ast.Disjunction: lambda inner: st.lists(inner, min_size=2, max_size=3).map(
        lambda cs: ast.Disjunction(tuple(cs), NO_SPAN)),
}
conditions = st.recursive(
    st.one_of(CONDITIONS[ast.Atom](None), CONDITIONS[ast.Comparison](None)),
    lambda inner: st.one_of(*(CONDITIONS[kind](inner) for kind in (ast.Negation, ast.Conjunction, ast.Disjunction))),
    max_leaves=8,
)
name_nodes = names.map(lambda n: ast.Name(n, NO_SPAN))
STATEMENTS: dict[type, st.SearchStrategy[Any]] = {
    ast.Rule: st.builds(
        lambda name, head, cond, exc, auth: ast.Rule(name, head, cond, tuple(exc), tuple(auth), NO_SPAN),
        st.none() | names, atoms, conditions, st.lists(conditions, max_size=2), st.lists(name_nodes, max_size=2)),
    ast.Fact: st.builds(lambda a, qs: ast.Fact(a, tuple(qs), NO_SPAN), atoms,
                        st.lists(texts.map(lambda t: ast.Quote(t, NO_SPAN)), max_size=3)),
    ast.Authority: st.builds(lambda n, c, s: ast.Authority(n, c, s, NO_SPAN), names, texts, st.none() | texts),
    ast.Include: texts.map(lambda p: ast.Include(p, NO_SPAN)),
    ast.InputDecl: st.builds(lambda p, ts: ast.InputDecl(p, tuple(ts), NO_SPAN), names,
                             st.lists(name_nodes, max_size=3)),
    ast.Outcomes: st.lists(name_nodes, min_size=1, max_size=3).map(lambda ns: ast.Outcomes(tuple(ns), NO_SPAN)),
    ast.CaseDecl: st.builds(lambda n, c: ast.CaseDecl(n, c, NO_SPAN), names, st.none() | texts),
    ast.SourceDecl: texts.map(lambda p: ast.SourceDecl(p, NO_SPAN)),
    ast.Expect: st.builds(lambda a, neg: ast.Expect(a, neg, NO_SPAN), atoms, st.booleans()),
    ast.Reading: st.builds(lambda a, t, n: ast.Reading(a, ast.Quote(t, NO_SPAN), n, NO_SPAN),
                           atoms, texts, st.none() | texts.map(lambda n: ast.Quote(n, NO_SPAN))),
    ast.InternalDecl: st.lists(name_nodes, min_size=1, max_size=3).map(
        lambda ns: ast.InternalDecl(tuple(ns), NO_SPAN)),
}
modules = st.lists(st.one_of(*STATEMENTS.values()), max_size=6).map(lambda ss: ast.Module("", tuple(ss)))


def test_the_strategies_draw_every_kind_of_node() -> None:
    assert set(STATEMENTS) == set(get_args(ast.Statement))
    assert set(CONDITIONS) == set(get_args(ast.Condition))
    assert set(TERMS) == set(get_args(ast.Term))


# ---------------------------------------------------------------- parse(format(ast)) == ast


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules, st.sampled_from([100, 30]))
def test_printed_modules_read_back_as_the_same_ast(module: ast.Module, width: int) -> None:
    text = format_module(module, width)
    assert strip_spans(parse(text, "random.rules")) == module, text
    assert format_module(parse(text, "again.rules"), width) == text  # formatting is idempotent


@given(st.lists(values, max_size=4), names)
def test_printed_ground_atoms_read_back_as_the_same_values(args: list[Value], predicate: str) -> None:
    atom = parse_atom(format_ground_atom(predicate, tuple(args)))
    assert atom.predicate == predicate
    read = [arg.value for arg in atom.args]  # type: ignore[union-attr]
    assert [(type(v), v) for v in read] == [(type(v), v) for v in args]


@given(texts)
def test_a_printed_string_holds_no_control_character(text: str) -> None:
    """So a witness case or a formatted file keeps each string on its line."""
    assert not any(unicodedata.category(c) == "Cc" for c in format_string(text))


# ---------------------------------------------------------------- by example


def test_strings_escape_what_the_grammar_reads_back() -> None:
    assert format_value(Text('say "hi"\\\n\t\r\x01')) == '"say \\"hi\\"\\\\\\n\\t\\r\\u0001"'
    assert format_value(Text("é∀")) == '"é∀"'
    fact = parse('p("a\\nb\\t\\r\\u0001\\\\ \\"q\\"")', "t.rules").statements[0]
    assert isinstance(fact, ast.Fact)
    assert fact.atom.args[0] == ast.Constant(Text('a\nb\t\r\x01\\ "q"'), fact.atom.args[0].span)


def test_values_are_written_as_the_language_writes_them() -> None:
    assert format_ground_atom("p", (-4, datetime.date(2012, 10, 24), Text("drug"), "drug")) == \
        'p(-4, 2012-10-24, "drug", drug)'
    assert format_ground_atom("deny", ()) == "deny"


def _condition(text: str) -> ast.Condition:
    rule = parse(f"a if {text}", "t.rules").statements[0]
    assert isinstance(rule, ast.Rule)
    return rule.condition


def test_parentheses_only_where_the_meaning_needs_them() -> None:
    comparison = _condition("?y = ?x - (1 - 2) * 3")
    assert isinstance(comparison, ast.Comparison)
    assert format_term(comparison.right) == "?x - (1 - 2) * 3"
    assert format_condition(_condition("?y = ((?a * (?b + 2)) - 3)")) == "?y = ?a * (?b + 2) - 3"
    assert format_condition(_condition("?y = ?a - (?b - ?c)")) == "?y = ?a - (?b - ?c)"
    assert format_condition(_condition("not (?x < 3) and (b or not c(?y - (?z - 1)))")) == \
        "not (?x < 3) and (b or not c(?y - (?z - 1)))"
    assert format_condition(_condition("a or (b and c)")) == "a or b and c"
    assert format_condition(_condition("not (a and b)")) == "not (a and b)"
    assert format_exception(_condition("?x > 3")) == "unless ?x > 3"
    assert format_exception(_condition("a and b")) == "unless (a and b)"


def test_bound_variables_are_written_as_their_values() -> None:
    comparison = _condition("?y = ?x - (?z - 2) * 3")
    env = {"x": 5, "z": Text("a\nb")}
    assert format_condition(comparison, env) == '?y = 5 - ("a\\nb" - 2) * 3'


def test_a_whole_file_formats_readably() -> None:
    text = """authority Baylor "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)" says "A district court does not have the authority to grant a reduction."
input offense_level(int)
input career_offender
outcomes grant, deny
deny if not lowers_range because Baylor
rule statutory_minimum_trumps_range: applicable_range(?mm, ?mm) if table_range(?lvl, ?chc, ?lo, ?hi) and offense_level(?lvl) and mandatory_minimum_months(?mm) and ?mm > ?hi unless waived because Baylor
long_unnamed(?x) if some_rather_long_predicate_name(?x) or another_rather_long_predicate_name(?x) or third_one(?x)
table(31, I, 108, 135)
table(32, I, 121, 151)
"""
    formatted = format_module(parse(text, "a.rules"))
    assert strip_spans(parse(formatted, "b.rules")) == strip_spans(parse(text, "a.rules"))
    assert formatted == """authority Baylor "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)"
    says "A district court does not have the authority to grant a reduction."

input offense_level(int)
input career_offender

outcomes grant, deny

deny if not lowers_range because Baylor

rule statutory_minimum_trumps_range:
    applicable_range(?mm, ?mm)
        if table_range(?lvl, ?chc, ?lo, ?hi)
        and offense_level(?lvl)
        and mandatory_minimum_months(?mm)
        and ?mm > ?hi
        unless waived
    because Baylor

long_unnamed(?x)
    if some_rather_long_predicate_name(?x)
    or another_rather_long_predicate_name(?x)
    or third_one(?x)

table(31, I, 108, 135)
table(32, I, 121, 151)
"""


# ---------------------------------------------------------------- format_source: what `lexkb fmt` writes


def fmt(text: str) -> str:
    return format_source(*parse_with_comments(text, "t.rules"), text)


def comments(text: str) -> list[str]:
    return [c.text for c in parse_with_comments(text, "t.rules")[1]]


# A comment: any text on one line (the lexer ends it at a newline), `#` and quotes included.
comment_texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=10).map(
    lambda t: "#" + t)


@st.composite
def commented_files(draw: st.DrawFn) -> str:
    """A printed module with comments at the ends of lines and on lines of their own (inside
    long statements too), and blank lines here and there: what an analyst's file looks like."""
    lines = format_module(draw(modules), draw(st.sampled_from([100, 30]))).splitlines()
    out = []
    for line in lines:
        out.extend(draw(st.lists(st.one_of(comment_texts, st.just("")), max_size=2)))
        trailing = draw(st.none() | comment_texts)
        out.append(f"{line} {trailing}" if trailing else line)
    out.extend(draw(st.lists(comment_texts, max_size=2)))
    return "\n".join(out) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commented_files())
def test_formatting_keeps_every_comment_and_the_meaning_and_is_idempotent(text: str) -> None:
    formatted = fmt(text)
    assert comments(formatted) == comments(text), formatted
    assert strip_spans(parse(formatted, "b.rules")) == strip_spans(parse(text, "a.rules")), formatted
    assert fmt(formatted) == formatted


def test_comments_stay_where_the_author_put_them() -> None:
    text = """# lexkb: acknowledge dead r "kept on purpose"
# a note on the group



rule r:   a(?x)   if b(?x)    # why r holds
c   d   # after the last statement of the line


# the end
"""
    assert fmt(text) == """# lexkb: acknowledge dead r "kept on purpose"
# a note on the group

rule r: a(?x) if b(?x)  # why r holds
c
d  # after the last statement of the line

# the end
"""


def test_a_comment_inside_a_statement_goes_just_above_it() -> None:
    text = "deny if a   # first\n  and b   # second\n  and c   # third\n"
    assert fmt(text) == "# first\n# second\ndeny if a and b and c  # third\n"


def test_blank_lines_keep_the_grouping_not_the_kinds() -> None:
    text = "input a\n\n\n\ninput b\noutcomes x\nx if a\n\nx if b\n"
    assert fmt(text) == "input a\n\ninput b\noutcomes x\nx if a\n\nx if b\n"


def test_quotes_keep_their_spelling() -> None:
    text = 'source "s.txt"\np(1)    from "caf\\u00e9 \\"quoted\\""\n'
    assert fmt(text) == 'source "s.txt"\np(1) from "caf\\u00e9 \\"quoted\\""\n'


def test_files_without_statements() -> None:
    assert fmt("") == ""
    assert fmt("\n\n  \n") == ""
    assert fmt("  # only a comment   \n\n\n# and another") == "# only a comment\n\n# and another\n"


def test_several_quotes_each_keep_their_spelling_and_go_on_lines_of_their_own_when_long() -> None:
    assert fmt('p(1)   from "a\\u00e9"   from "b"\n') == 'p(1) from "a\\u00e9" from "b"\n'
    long = "words " * 12
    assert fmt(f'mandatory_minimum_months(120) from "{long}" from "more"\n') == (
        f'mandatory_minimum_months(120)\n    from "{long}"\n    from "more"\n')


def test_decimals_keep_their_digits() -> None:
    assert fmt("q(3.90)\nheavy if q(?q) and ?q >= 3.9 and ?q * -0.5 < 1122805.74\n") == (
        "q(3.90)\nheavy if q(?q) and ?q >= 3.9 and ?q * -0.5 < 1122805.74\n")
