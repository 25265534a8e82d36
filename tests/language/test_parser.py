"""The parser: every construct parses to the AST it means, with its spans, and
reads back as formatted (the printer's own tests are in test_format.py)."""

from __future__ import annotations

import datetime

import pytest

from lexkb.errors import Span, SyntaxProblem
from lexkb.language import ast
from lexkb.language.format import format_module, strip_spans
from lexkb.language.parser import parse, parse_atom
from lexkb.values import Text


def sexp(node: object) -> str:
    """A compact, span-free picture of an AST node, for asserting structure."""
    if isinstance(node, ast.Variable):
        return f"?{node.name}"
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, Text):
            return f"str{str.__repr__(value)}"
        if isinstance(value, datetime.date):
            return f"date({value.isoformat()})"
        return f"sym({value})" if isinstance(value, str) else f"int({value})"
    if isinstance(node, ast.Arithmetic):
        return f"({node.op} {sexp(node.left)} {sexp(node.right)})"
    if isinstance(node, ast.Call):
        return f"({node.function} {sexp(node.args[0])} {sexp(node.args[1])})"
    if isinstance(node, ast.Atom):
        return node.predicate + (f"[{' '.join(sexp(a) for a in node.args)}]" if node.args else "")
    if isinstance(node, ast.Comparison):
        return f"({node.op} {sexp(node.left)} {sexp(node.right)})"
    if isinstance(node, ast.Negation):
        return f"(not {sexp(node.condition)})"
    if isinstance(node, ast.Conjunction):
        return "(and " + " ".join(sexp(i) for i in node.items) + ")"
    if isinstance(node, ast.Disjunction):
        return "(or " + " ".join(sexp(i) for i in node.items) + ")"
    if isinstance(node, ast.Rule):
        parts = [f"rule {node.name or '-'}", sexp(node.head), sexp(node.condition)]
        parts += [f"unless {sexp(e)}" for e in node.exceptions]
        if node.authorities:
            parts.append("because " + ",".join(a.text for a in node.authorities))
        return " | ".join(parts)
    if isinstance(node, ast.Fact):
        return f"fact {sexp(node.atom)}" + "".join(f" from {q.text!r}" for q in node.quotes)
    if isinstance(node, ast.Authority):
        return f"authority {node.name} {node.citation!r}" + (f" says {node.says!r}" if node.says else "")
    if isinstance(node, ast.Include):
        return f"include {node.path!r}"
    if isinstance(node, ast.InputDecl):
        return f"input {node.predicate}(" + ",".join(t.text for t in node.types) + ")"
    if isinstance(node, ast.Outcomes):
        return "outcomes " + ",".join(n.text for n in node.names)
    if isinstance(node, ast.CaseDecl):
        return f"case {node.name} {node.citation!r}"
    if isinstance(node, ast.SourceDecl):
        return f"source {node.path!r}"
    if isinstance(node, ast.Expect):
        return f"expect {'not ' if node.negated else ''}{sexp(node.atom)}"
    raise TypeError(node)


def one(text: str) -> str:
    module = parse(text, "t.rules")
    assert len(module.statements) == 1, module.statements
    return sexp(module.statements[0])


def assert_round_trip(text: str) -> str:
    """Parse, format, parse again: the ASTs agree and formatting is idempotent."""
    first = parse(text, "a.rules")
    formatted = format_module(first)
    second = parse(formatted, "b.rules")
    assert strip_spans(second) == strip_spans(first), formatted
    assert format_module(second) == formatted
    return formatted


# ---------------------------------------------------------------- every construct, by example

CONSTRUCTS = {
    # the user's example, verbatim
    "deny if not lowers_range because Baylor": "rule - | deny | (not lowers_range) | because Baylor",
    "authority Baylor \"United States v. Baylor, 556 F.3d 672\"":
        "authority Baylor 'United States v. Baylor, 556 F.3d 672'",
    'authority B "cite" says "what it holds"': "authority B 'cite' says 'what it holds'",
    "rule amended_level: amended(?l2) if level(?l) and cut(?r) and ?l2 = ?l - ?r":
        "rule amended_level | amended[?l2] | (and level[?l] cut[?r] (= ?l2 (- ?l ?r)))",
    "grant if eligible and lowers_range unless barred because USC_3582c2, Baylor":
        "rule - | grant | (and eligible lowers_range) | unless barred | because USC_3582c2,Baylor",
    "a if b unless c unless (d and e)": "rule - | a | b | unless c | unless (and d e)",
    "a if b unless not c": "rule - | a | b | unless (not c)",
    "a if b or c and not d": "rule - | a | (or b (and c (not d)))",
    "a if (b or c) and d": "rule - | a | (and (or b c) d)",
    "a if not (b and c)": "rule - | a | (not (and b c))",
    "a if not not b": "rule - | a | (not (not b))",
    "a if ((b))": "rule - | a | b",
    "a if (b and c) and d": "rule - | a | (and (and b c) d)",
    "a if not ?x < 3 and b(?x)": "rule - | a | (and (not (< ?x int(3))) b[?x])",
    "p(?x, 7, -4, 2012-10-24, \"s\", sym) if q(?x)":
        "rule - | p[?x int(7) int(-4) date(2012-10-24) str's' sym(sym)] | q[?x]",
    "a if ?x = ?y and ?x != ?y and ?x < ?y and ?x <= ?y and ?x > ?y and ?x >= ?y":
        "rule - | a | (and (= ?x ?y) (!= ?x ?y) (< ?x ?y) (<= ?x ?y) (> ?x ?y) (>= ?x ?y))",
    "a if ?z = ?a - ?b - ?c": "rule - | a | (= ?z (- (- ?a ?b) ?c))",
    "a if ?z = ?a - (?b - ?c)": "rule - | a | (= ?z (- ?a (- ?b ?c)))",
    "a if ?z = ?a + ?b * ?c": "rule - | a | (= ?z (+ ?a (* ?b ?c)))",
    "a if ?z = (?a + ?b) * ?c": "rule - | a | (= ?z (* (+ ?a ?b) ?c))",
    "a if ?z = ?a * -2 - -3": "rule - | a | (= ?z (- (* ?a int(-2)) int(-3)))",
    "a if ?z = min(?a, max(?b, 3 + ?c)) * 2": "rule - | a | (= ?z (* (min ?a (max ?b (+ int(3) ?c))) int(2)))",
    "a if (?a + 1) * 2 > ?b": "rule - | a | (> (* (+ ?a int(1)) int(2)) ?b)",
    "a if drug = ?kind": "rule - | a | (= sym(drug) ?kind)",
    "a if ?d < 2014-11-01": "rule - | a | (< ?d date(2014-11-01))",
    "p(1)": "fact p[int(1)]",
    "p()": "fact p",
    "career_offender": "fact career_offender",
    "p(\"a \\\"quoted\\\" \\\\ word\\n\")": "fact p[str'a \"quoted\" \\\\ word\\n']",
    "offense(drug) from \"Alcaraz pleaded guilty to a drug offense.\"":
        "fact offense[sym(drug)] from 'Alcaraz pleaded guilty to a drug offense.'",
    "include \"ussg/table.rules\"": "include 'ussg/table.rules'",
    "input offense_level(int)": "input offense_level(int)",
    "input sentenced(date, symbol, string)": "input sentenced(date,symbol,string)",
    "input career_offender": "input career_offender()",
    "outcomes grant, deny": "outcomes grant,deny",
    "outcomes deny": "outcomes deny",
    "case alcaraz \"United States v. Alcaraz\"": "case alcaraz 'United States v. Alcaraz'",
    "case hypothetical": "case hypothetical None",
    "source \"../sources/order.txt\"": "source '../sources/order.txt'",
    "expect deny": "expect deny",
    "expect not grant": "expect not grant",
    "expect floor(108)": "expect floor[int(108)]",
}


@pytest.mark.parametrize("text", list(CONSTRUCTS))
def test_construct_parses_to_its_meaning(text: str) -> None:
    assert one(text) == CONSTRUCTS[text]


@pytest.mark.parametrize("text", list(CONSTRUCTS))
def test_construct_round_trips(text: str) -> None:
    assert_round_trip(text)


def test_statements_span_lines_and_comments_are_ignored() -> None:
    text = """
# a comment on its own line
rule statutory_minimum_trumps_range:   # a comment after a name
    applicable_range(?mm, ?mm)
        if table_range(?lvl, ?chc, ?lo, ?hi) and offense_level(?lvl)
           and criminal_history_category(?chc)
           and mandatory_minimum_months(?mm) and ?mm > ?hi
    because USSG_5G1_1b
p("# not a comment")  # but this is
q
"""
    statements = parse(text, "t.rules").statements
    assert [sexp(s) for s in statements] == [
        "rule statutory_minimum_trumps_range | applicable_range[?mm ?mm] | (and table_range[?lvl ?chc ?lo ?hi] "
        "offense_level[?lvl] criminal_history_category[?chc] mandatory_minimum_months[?mm] (> ?mm ?hi)) "
        "| because USSG_5G1_1b",
        "fact p[str'# not a comment']",
        "fact q",
    ]
    assert_round_trip(text)


def test_spans_locate_each_node() -> None:
    rule = parse("\n\n  grant if  eligible(?x)\n    and ?x > 3", "t.rules").statements[0]
    assert isinstance(rule, ast.Rule)
    assert rule.span == Span("t.rules", 3, 3, 4, 15)
    assert rule.head.span == Span("t.rules", 3, 3, 3, 8)
    condition = rule.condition
    assert isinstance(condition, ast.Conjunction)
    assert condition.items[0].span == Span("t.rules", 3, 13, 3, 25)
    comparison = condition.items[1]
    assert isinstance(comparison, ast.Comparison)
    assert comparison.left.span == Span("t.rules", 4, 9, 4, 11)
    assert str(rule.span) == "t.rules:3:3"


def test_values_have_their_kinds() -> None:
    fact = parse('p(-4, 2012-10-24, "drug", drug)', "t.rules").statements[0]
    assert isinstance(fact, ast.Fact)
    values = [arg.value for arg in fact.atom.args]  # type: ignore[union-attr]
    assert values == [-4, datetime.date(2012, 10, 24), Text("drug"), "drug"]
    assert type(values[2]) is Text and type(values[3]) is str
    assert values[2] != values[3]


def test_parse_atom() -> None:
    atom = parse_atom("reduction_floor_months(108)")
    assert sexp(atom) == "reduction_floor_months[int(108)]"
    assert sexp(parse_atom("deny")) == "deny"


@pytest.mark.parametrize("typo", ["2012-1-05", "2012-01-5", "2012-001-05", "2012-1-5"])
def test_a_date_not_written_yyyy_mm_dd_is_an_error_not_subtraction(typo: str) -> None:
    with pytest.raises(SyntaxProblem, match="dates are written YYYY-MM-DD") as raised:
        parse(f"late if d(?d) and ?d > {typo}\n", "t.rules")
    assert (raised.value.span.column, raised.value.span.end_column) == (24, 24 + len(typo))


def test_subtraction_with_spaces_is_still_arithmetic() -> None:
    rule = parse("late if d(?d) and ?d > 2012 - 1 - 5\n", "t.rules").statements[0]
    assert isinstance(rule, ast.Rule) and isinstance(rule.condition, ast.Conjunction)
    comparison = rule.condition.items[1]
    assert isinstance(comparison, ast.Comparison) and isinstance(comparison.right, ast.Arithmetic)


def test_underscore_parses_as_the_anonymous_variable() -> None:
    atom = parse_atom("modified(?d, _)")
    assert atom.args[1] == ast.Variable(ast.ANONYMOUS, atom.args[1].span)
