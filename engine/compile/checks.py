"""Static checks: modules → a checked :class:`Program`, or a located CheckError.

Checks names (authorities, predicates), arity, fact shape, safety of
variables and stratification of negation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lexkb.compile.kinds import DECLARED, check_kinds, declared_kinds
from lexkb.compile.program import BaseFact, Branch, Literal, Negative, Positive, Program, Test, dependency_graph
from lexkb.compile.readings import check_readings, unread
from lexkb.compile.schedule import schedule
from lexkb.compile.stratify import stratify
from lexkb.errors import CheckError, Span, did_you_mean
from lexkb.language import ast
from lexkb.language.cases import Finding
from lexkb.language.parser import KEYWORDS

TYPE_NAMES = tuple(DECLARED)
_NEGATE = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def check(modules: Sequence[ast.Module]) -> Program:
    """Check parsed rule files and normalise them into a Program."""
    authorities: dict[str, ast.Authority] = {}
    rules: list[ast.Rule] = []
    facts: list[ast.Fact] = []
    inputs: dict[str, ast.InputDecl] = {}
    outcomes: list[ast.Name] = []
    described: list[ast.Reading | ast.InternalDecl] = []
    for module in modules:
        for statement in module.statements:
            if isinstance(statement, ast.Authority):
                if statement.name in authorities:
                    first = authorities[statement.name].span
                    raise CheckError(f"the authority {statement.name} is declared twice (first at {first})",
                                     statement.span)
                authorities[statement.name] = statement
            elif isinstance(statement, ast.Rule):
                rules.append(statement)
            elif isinstance(statement, ast.Fact):
                facts.append(statement)
            elif isinstance(statement, ast.InputDecl):
                if statement.predicate in inputs:
                    raise CheckError(f"the input {statement.predicate} is declared twice "
                                     f"(first at {inputs[statement.predicate].span})", statement.span)
                for type_name in statement.types:
                    unknown = [part for part in type_name.text.split("|") if part not in TYPE_NAMES]
                    if unknown:
                        raise CheckError(f"'{unknown[0]}' is not an argument type", type_name.span,
                                         hint=did_you_mean(unknown[0], TYPE_NAMES)
                                         or "the types are int, decimal, date, symbol and string")
                inputs[statement.predicate] = statement
            elif isinstance(statement, ast.Outcomes):
                outcomes.extend(statement.names)
            elif isinstance(statement, ast.Include):
                pass
            elif isinstance(statement, (ast.Reading, ast.InternalDecl)):
                described.append(statement)
            else:
                keyword = {ast.CaseDecl: "case", ast.SourceDecl: "source", ast.Expect: "expect"}[type(statement)]
                raise CheckError(f"'{keyword}' belongs in a .case file, not in a rules file", statement.span,
                                 hint="move it to the .case file of the case it is about")

    _check_keyword_lookalikes(modules)
    _check_rule_names(rules)
    _check_authorities(rules, authorities)
    _check_anonymous(rules, facts)
    base_facts = _check_facts(facts)
    arities = _check_arities(rules, facts, inputs, outcomes)
    branches = _normalise(rules)
    for branch in branches:
        arities.setdefault(branch.head.predicate, branch.head.arity)  # hidden auxiliaries
    warnings = _undefined(branches, base_facts, inputs)
    check_kinds(branches, declared_kinds(inputs, base_facts, branches))
    for branch in branches:
        schedule(branch)  # raises on an unsafe variable
    graph = dependency_graph(branches, arities)
    strata, recursive = stratify(branches, graph)
    outcome_names = tuple(dict.fromkeys(n.text for n in outcomes))
    readings, internal = check_readings(described, arities, outcome_names)
    warnings += unread(readings, internal, outcome_names, arities, graph, branches, base_facts, inputs)
    return Program(
        modules=tuple(modules),
        authorities=authorities,
        rules=tuple(rules),
        branches=tuple(branches),
        facts=tuple(base_facts),
        inputs=inputs,
        outcomes=tuple(dict.fromkeys(n.text for n in outcomes)),
        arities=arities,
        strata=strata,
        dependencies=graph,
        recursive=recursive,
        warnings=tuple(warnings),
        readings=readings,
        internal=internal,
    )


# ---------------------------------------------------------------- names

# The keywords a misspelt word most likely stands for.
_CONNECTIVES = ("if", "and", "or", "not", "unless", "because", "from")


def _check_keyword_lookalikes(modules: Sequence[ast.Module]) -> None:
    """Misspelt keywords that still parse, because the grammar has no terminators.

    `deny if a annd b` reads as the rule `deny if a` and two facts, `annd`
    and `b`; `deny if Not b` makes `Not` a condition. A lone name on the line
    where the previous statement ends, close to a keyword, or a predicate
    spelt like a keyword in other letter case, is almost surely such a slip.
    """
    import difflib

    for module in modules:
        previous_end = 0
        previous: ast.Statement | None = None
        for statement in module.statements:
            atoms = [statement.atom] if isinstance(statement, ast.Fact) else []
            if isinstance(statement, ast.Rule):
                atoms = [statement.head] + [a for c in (statement.condition, *statement.exceptions) for a in ast.atoms_in(c)]
            for atom in atoms:
                if atom.predicate.lower() in KEYWORDS and atom.predicate not in KEYWORDS:
                    raise CheckError(f"'{atom.predicate}' is not a keyword: keywords are written in lower case",
                                     atom.span, hint=f"did you mean '{atom.predicate.lower()}'?")
            if (isinstance(statement, ast.Fact) and not statement.atom.args and not statement.quotes
                    and statement.span.line == previous_end):
                word = statement.atom.predicate
                close = difflib.get_close_matches(word.lower(), _CONNECTIVES, n=1, cutoff=0.6)
                if close:
                    raise CheckError(f"'{word}' is not a keyword; did you mean '{close[0]}'?", statement.span,
                                     hint=f"as written, '{word}' is read as a fact of its own, "
                                          "the start of a new statement")
                if isinstance(previous, ast.Rule):
                    cited = previous.authorities
                    hint = (f"to cite several authorities, separate them with commas: because "
                            f"{cited[-1].text}, {word}" if cited else
                            "a new statement starts on its own line; join conditions with 'and' or 'or'")
                    raise CheckError(f"'{word}' follows the rule on the same line, so it is read as a fact "
                                     "of its own", statement.span, hint=hint)
            previous_end = statement.span.end_line
            previous = statement



def _check_rule_names(rules: list[ast.Rule]) -> None:
    seen: dict[str, ast.Rule] = {}
    for rule in rules:
        if rule.name is None:
            continue
        if rule.name in seen:
            raise CheckError(f"two rules are named {rule.name} (the other is at {seen[rule.name].span})",
                             rule.span, hint="give each rule its own name")
        seen[rule.name] = rule


def _check_authorities(rules: list[ast.Rule], authorities: dict[str, ast.Authority]) -> None:
    for rule in rules:
        for ref in rule.authorities:
            if ref.text not in authorities:
                hint = did_you_mean(ref.text, authorities) or (
                    f'declare it: authority {ref.text} "full citation" says "what it holds"')
                raise CheckError(f"the authority {ref.text} is not declared", ref.span, hint=hint)


def _check_facts(facts: list[ast.Fact]) -> list[BaseFact]:
    out = []
    for fact in facts:
        values = []
        for arg in fact.atom.args:
            if isinstance(arg, ast.Variable):
                raise CheckError(f"a fact cannot hold the variable ?{arg.name}", arg.span,
                                 hint="to conclude something from conditions, write a rule with 'if'")
            if not isinstance(arg, ast.Constant):
                raise CheckError("a fact holds plain values, not arithmetic", arg.span)
            values.append(arg.value)
        out.append(BaseFact(fact.atom.predicate, tuple(values), fact))
    return out


_ANY_VALUE_HINT = ("_ stands for 'any value' and can only appear inside a condition's atom, e.g. "
                   "modified(?d, _); to use the value, give it a name such as ?x")


def _check_anonymous(rules: list[ast.Rule], facts: list[ast.Fact]) -> None:
    """``_`` means "any value" only as an argument of a condition's atom; anywhere else it has no value."""

    def refuse(terms: Sequence[ast.Term], where: str) -> None:
        for term in terms:
            anonymous = _first_anonymous(term)
            if anonymous is not None:
                raise CheckError(f"_ cannot be used in {where}", anonymous.span, hint=_ANY_VALUE_HINT)

    def walk(condition: ast.Condition) -> None:
        if isinstance(condition, ast.Atom):
            refuse([a for a in condition.args if not isinstance(a, ast.Variable)], "arithmetic")
        elif isinstance(condition, ast.Comparison):
            refuse([condition.left, condition.right], "a comparison")
        elif isinstance(condition, ast.Negation):
            walk(condition.condition)
        else:
            for item in condition.items:
                walk(item)

    for fact in facts:
        refuse(fact.atom.args, "a fact: a fact states plain values")
    for rule in rules:
        refuse(rule.head.args, "a rule's conclusion: every value it concludes must be known")
        for condition in (rule.condition, *rule.exceptions):
            walk(condition)


def _first_anonymous(term: ast.Term) -> ast.Variable | None:
    if isinstance(term, ast.Variable):
        return term if term.anonymous else None
    if isinstance(term, ast.Constant):
        return None
    parts = (term.left, term.right) if isinstance(term, ast.Arithmetic) else term.args
    return next((found for found in map(_first_anonymous, parts) if found is not None), None)


def _plural(n: int) -> str:
    return f"{n} argument" if n == 1 else f"{n} arguments"


def _check_arities(rules: list[ast.Rule], facts: list[ast.Fact], inputs: dict[str, ast.InputDecl],
                   outcomes: list[ast.Name]) -> dict[str, int]:
    arities: dict[str, tuple[int, Span]] = {}

    def note(predicate: str, arity: int, span: Span) -> None:
        if predicate.startswith("_"):
            # Names starting with _ are the hidden auxiliaries of `not (a and b)`:
            # a user's would vanish from the output and could collide with them.
            raise CheckError(f"the name {predicate} starts with '_', which lexkb reserves for its own "
                             "hidden conditions", span, hint=f"rename it, e.g. {predicate.lstrip('_') or 'x'}")
        if predicate not in arities:
            arities[predicate] = (arity, span)
        elif arities[predicate][0] != arity:
            first_arity, first_span = arities[predicate]
            raise CheckError(
                f"{predicate} is used here with {_plural(arity)}, "
                f"but with {_plural(first_arity)} at {first_span}",
                span, hint="a predicate always takes the same number of arguments")

    for decl in inputs.values():
        note(decl.predicate, len(decl.types), decl.span)
    for fact in facts:
        note(fact.atom.predicate, fact.atom.arity, fact.atom.span)
    for rule in rules:
        note(rule.head.predicate, rule.head.arity, rule.head.span)
        for condition in (rule.condition, *rule.exceptions):
            for atom in ast.atoms_in(condition):
                note(atom.predicate, atom.arity, atom.span)
    for name in outcomes:
        note(name.text, 0, name.span)
    return {p: a for p, (a, _) in arities.items()}


def _undefined(branches: list[Branch], facts: list[BaseFact], inputs: dict[str, ast.InputDecl]) -> list[Finding]:
    """A condition on a predicate that nothing can establish is almost always a typo: a warning, once
    per predicate. Not an error: such a condition is simply never established (clingo, for one, warns
    and goes on), and a rule base under construction names what it has not written yet."""
    established = {b.head.predicate for b in branches} | {f.predicate for f in facts} | set(inputs)
    warnings: dict[str, Finding] = {}
    for branch in branches:
        for literal in branch.literals:
            if isinstance(literal, Test):
                continue
            name = literal.atom.predicate
            if name not in established and name not in warnings:
                hint = did_you_mean(name, established) or f"declare it as a case input: input {name}"
                warnings[name] = Finding(
                    f"nothing establishes {name}: no rule concludes it, no fact states it, "
                    "and it is not a declared input", literal.atom.span, hint)
    return list(warnings.values())


# ---------------------------------------------------------------- normalisation


class _Normaliser:
    def __init__(self) -> None:
        self.branches: list[Branch] = []
        self.written: ast.Rule | None = None  # the rule as written, which every branch of it refers to

    def rule(self, rule: ast.Rule) -> None:
        self.written = rule
        numbered = _number_anonymous(rule)
        self._add(numbered, numbered.head, numbered.condition, numbered.exceptions, hidden=False)

    def _add(self, rule: ast.Rule, head: ast.Atom, condition: ast.Condition,
             exceptions: tuple[ast.Condition, ...], hidden: bool) -> None:
        body = self._dnf(rule, head, condition, exception=False)
        for exception in exceptions:
            negated = self._dnf(rule, head, ast.Negation(exception, exception.span), exception=True)
            body = [a + b for a in body for b in negated]
        for literals in body:
            variables: list[str] = list(ast.term_variables_of_atom(head))
            for literal in literals:
                node = literal.atom if isinstance(literal, (Positive, Negative)) else literal.comparison
                variables.extend(ast.condition_variables(node))
            assert self.written is not None
            self.branches.append(Branch(len(self.branches), self.written, head, tuple(literals),
                                        tuple(dict.fromkeys(variables)), hidden))

    def _dnf(self, rule: ast.Rule, head: ast.Atom, condition: ast.Condition,
             exception: bool) -> list[list[Literal]]:
        if isinstance(condition, ast.Atom):
            return [[Positive(condition)]]
        if isinstance(condition, ast.Comparison):
            return [[Test(condition, exception=exception)]]
        if isinstance(condition, ast.Conjunction):
            result: list[list[Literal]] = [[]]
            for item in condition.items:
                result = [a + b for a in result for b in self._dnf(rule, head, item, exception)]
            return result
        if isinstance(condition, ast.Disjunction):
            return [branch for item in condition.items for branch in self._dnf(rule, head, item, exception)]
        return self._negated(rule, head, condition, exception)

    def _negated(self, rule: ast.Rule, head: ast.Atom, negation: ast.Negation,
                 exception: bool) -> list[list[Literal]]:
        inner = negation.condition
        if isinstance(inner, ast.Atom) and not any(isinstance(a, ast.Variable) and a.anonymous for a in inner.args):
            return [[Negative(inner, exception, negation)]]
        if isinstance(inner, ast.Comparison):
            return [[Test(inner, negated=True, exception=exception)]]
        if isinstance(inner, ast.Negation):  # not not X
            return self._dnf(rule, head, inner.condition, exception)
        if isinstance(inner, ast.Disjunction):  # not (a or b) = not a and not b
            result: list[list[Literal]] = [[]]
            for item in inner.items:
                part = self._negated(rule, head, ast.Negation(item, negation.span), exception)
                result = [a + b for a in result for b in part]
            return result
        # not (a and b), or not a(?x, _) ("for no value"): a hidden predicate for the condition,
        # projected onto the variables it shares with the rule, then negate it
        outside = set(ast.term_variables_of_atom(head)) | _rule_variables_outside(rule, inner)
        shared = [v for v in ast.condition_variables(inner) if v in outside]
        name = f"_{rule.label.replace(':', '_').replace('.', '_')}_not_{negation.span.line}_{negation.span.column}"
        aux_head = ast.Atom(name, tuple(ast.Variable(v, negation.span) for v in shared), negation.span)
        # A shared variable that only a comparison inside uses, e.g. `unless (mm(?m) and ?m > ?hi)`,
        # gets its values in the hidden rule from the atoms of the rule that bind it outside.
        bound_inside = {v for atom in ast.atoms_in(inner) for v in ast.term_variables_of_atom(atom)}
        context = [atom for atom in _top_level_atoms(rule.condition)
                   if set(ast.term_variables_of_atom(atom)) & (set(shared) - bound_inside)]
        body = ast.Conjunction((*context, inner), inner.span) if context else inner
        self._add(rule, aux_head, body, (), hidden=True)
        return [[Negative(aux_head, exception, negation)]]


def _number_anonymous(rule: ast.Rule) -> ast.Rule:
    """The rule with each ``_`` a variable of its own (``_1``, ``_2``, …: names a user cannot write)."""
    count = 0

    def number(term: ast.Term) -> ast.Term:
        nonlocal count
        if isinstance(term, ast.Variable) and term.anonymous:
            count += 1
            return ast.Variable(f"{ast.ANONYMOUS}{count}", term.span)
        return term

    def walk(condition: ast.Condition) -> ast.Condition:
        if isinstance(condition, ast.Atom):
            return replace(condition, args=tuple(number(a) for a in condition.args))
        if isinstance(condition, ast.Comparison):
            return condition
        if isinstance(condition, ast.Negation):
            return replace(condition, condition=walk(condition.condition))
        return replace(condition, items=tuple(walk(item) for item in condition.items))

    return replace(rule, condition=walk(rule.condition), exceptions=tuple(walk(e) for e in rule.exceptions))


def _top_level_atoms(condition: ast.Condition) -> list[ast.Atom]:
    """The positive atoms every branch of a rule shares: its top-level conjunction's atoms."""
    if isinstance(condition, ast.Atom):
        return [condition]
    if isinstance(condition, ast.Conjunction):
        return [item for item in condition.items if isinstance(item, ast.Atom)]
    return []


def _rule_variables_outside(rule: ast.Rule, inner: ast.Condition) -> set[str]:
    names: set[str] = set()

    def walk(condition: ast.Condition) -> None:
        if condition is inner:
            return
        if isinstance(condition, (ast.Atom, ast.Comparison)):
            names.update(ast.condition_variables(condition))
        elif isinstance(condition, ast.Negation):
            walk(condition.condition)
        else:
            for item in condition.items:
                walk(item)

    for condition in (rule.condition, *rule.exceptions):
        walk(condition)
    return names


def _normalise(rules: list[ast.Rule]) -> list[Branch]:
    normaliser = _Normaliser()
    for rule in rules:
        normaliser.rule(rule)
    return normaliser.branches
