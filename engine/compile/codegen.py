"""Compile each branch into a Python function that joins with hash indexes.

A branch's schedule becomes nested loops over index lookups, generated as
Python source once per knowledge base and compiled by ``exec``, so nothing is
re-interpreted per fact. The join order and the index each scan reads come
from :mod:`lexkb.compile.schedule`, the value rules (comparisons, arithmetic,
what fails) from the templates of :mod:`lexkb.compile.semantics`; this module
only writes them out as code. Each emitted fact records its derivation
as ``(branch id, value of each branch variable…)``, enough to rebuild every
matched fact, compared value and absent atom exactly.

Arithmetic that leaves the integer limit (:mod:`lexkb.limits`) raises
``IntegerTooLarge`` with the branch's id, for the engine to name the rule:
a rule squaring its own conclusion stops there instead of exhausting memory.

Generated functions have the signature ``f(R, IX, N, D)``: R maps a
predicate to its facts (a dict from argument tuples to records), IX maps
``(predicate, positions)`` to an index (key → list of argument tuples), N
maps the head predicate to the dict collecting new facts, and D maps a
predicate to the list of facts new in the last round (semi-naive delta).

Python refuses a function with more than 20 nested blocks, so a branch with
many conditions cannot be one function of nested loops. After
:data:`LOOPS_PER_FUNCTION` loops the join continues in a helper function
called with the variables bound so far (``b3_full_k1(R, IX, N, D, v_a, v_b)``),
which may itself continue in another: a rule of any length compiles, and a
rule short enough for one function compiles exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.compile.schedule import Step, schedule
from lexkb.compile.semantics import (
    GENERATED_NAMESPACE,
    arithmetic_source,
    call_source,
    comparison_source,
    not_arithmetic_source,
)
from lexkb.language import ast
from lexkb.limits import INTEGER_BOUND, IntegerTooLarge

_NAMESPACE: dict[str, object] = {
    "_ONCE": (None,), "_BOUND": INTEGER_BOUND, "_TooLarge": IntegerTooLarge, **GENERATED_NAMESPACE}
"""The names generated code refers to: the one-shot loop, the integer limit, and the value rules' names."""

BranchFunction = Callable[[dict, dict, dict, dict | None], None]
IndexKey = tuple[str, tuple[int, ...]]

LOOPS_PER_FUNCTION = 16
"""Nested loops in one generated function (Python allows 20 blocks; the one-shot loop is one)."""


@dataclass
class CompiledBranch:
    branch: Branch
    full: BranchFunction
    deltas: list[tuple[str, BranchFunction]]  # (predicate read as delta, function)
    source: str = ""


@dataclass
class _Gen:
    """The code of one branch: the function being written, and the helpers it continues in.

    ``lines`` and ``prologue`` belong to the function being written; ``name``
    prefixes the helpers' names and ``call_args`` is what a helper is called
    with before the bound variables (the caller's ``R, IX, N, D``).
    """

    branch: Branch
    name: str = "b"
    call_args: str = "R, IX, N, D"
    lines: list[str] = field(default_factory=list)
    prologue: dict[str, str] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    indexes: set[IndexKey] = field(default_factory=set)
    temp: int = 0
    loops: int = 0  # nested loops in the function being written
    functions: int = 1  # functions written for this branch so far
    bound: list[str] = field(default_factory=list)  # variables bound so far, in order
    helpers: list[str] = field(default_factory=list)  # finished helper functions
    main: tuple[list[str], dict[str, str]] | None = None  # the first function's lines and prologue, once split

    def fresh(self) -> str:
        self.temp += 1
        return f"t{self.temp}"

    def const(self, value: object) -> str:
        if type(value) is int or type(value) is str:
            return repr(value)
        for name, known in self.constants.items():
            if type(known) is type(value) and known == value:
                return name
        name = f"K{len(self.constants)}"
        self.constants[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def expr(self, term: ast.Term, depth: int) -> str:
        """Python code for a term's value; arithmetic emits guards that `continue` on non-integers."""
        if isinstance(term, ast.Variable):
            return f"v_{term.name}"
        if isinstance(term, ast.Constant):
            return self.const(term.value)
        if isinstance(term, ast.Arithmetic):
            left, right = self.expr(term.left, depth), self.expr(term.right, depth)
            self._guard_ints((term.left, term.right), (left, right), depth)
            name = self.fresh()
            self.emit(depth, f"{name} = {arithmetic_source(term.op, left, right)}")
            self.emit(depth, f"if not -_BOUND < {name} < _BOUND: raise _TooLarge({self.branch.id})")
            return name
        left, right = self.expr(term.args[0], depth), self.expr(term.args[1], depth)
        self._guard_ints(term.args, (left, right), depth)
        name = self.fresh()
        self.emit(depth, f"{name} = {call_source(term.function, left, right)}")
        return name

    def _guard_ints(self, terms: tuple[ast.Term, ...], codes: tuple[str, str], depth: int) -> None:
        """Arithmetic is on integers: skip the match when an operand is anything else."""
        checks = [not_arithmetic_source(code) for term, code in zip(terms, codes)
                  if not (isinstance(term, ast.Constant) and type(term.value) is int)
                  and not isinstance(term, (ast.Arithmetic, ast.Call))]
        if checks:
            self.emit(depth, f"if {' or '.join(checks)}: continue")

    def loop(self, depth: int) -> int:
        """Make room for one more nested loop: past the limit, continue in a new helper function."""
        if self.loops < LOOPS_PER_FUNCTION:
            self.loops += 1
            return depth
        helper = f"{self.name}_k{self.functions}"
        self.functions += 1
        self.emit(depth, f"{helper}({', '.join([self.call_args] + [f'v_{v}' for v in self.bound])})")
        self.finish_function()
        self.lines, self.prologue, self.loops = [f"def {helper}(R, IX, N, D{''.join(f', v_{v}' for v in self.bound)}):"], {}, 1
        return 2

    def finish_function(self) -> None:
        """Set the function being written aside: the first as the branch's own, a helper as finished source."""
        if self.main is None:
            self.main = (self.lines, self.prologue)
            return
        header, *body = self.lines
        source = [header] + [f"    {k} = {v}" for k, v in self.prologue.items()] + ["    for _ in _ONCE:"] + body
        self.helpers.append("\n".join(source) + "\n")

    def relation(self, predicate: str) -> str:
        name = f"F_{_ident(predicate)}"
        self.prologue[name] = f"R[{predicate!r}]"
        return name

    def index(self, predicate: str, positions: tuple[int, ...]) -> str:
        name = f"I_{_ident(predicate)}_{'_'.join(map(str, positions))}"
        self.prologue[name] = f"IX[({predicate!r}, {positions!r})]"
        self.indexes.add((predicate, positions))
        return name


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _tuple(items: list[str]) -> str:
    if not items:
        return "()"
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def compile_branch(branch: Branch, delta_index: int | None, name: str,
                   constants: dict[str, object]) -> tuple[str, set[IndexKey]]:
    """Python source for one branch (optionally with a delta literal) and the indexes it reads.

    Constants that are not plain integers or symbols are added to ``constants``.
    """
    gen = _branch_body(branch, delta_index, constants, into_relation=False, name=name)
    source = [f"def {name}(R, IX, N, D):"]
    source += [f"    {k} = {v}" for k, v in gen.prologue.items()]
    source += ["    for _ in _ONCE:"] + gen.lines
    return "\n".join(source + gen.helpers) + "\n", gen.indexes


def _branch_body(branch: Branch, delta_index: int | None, constants: dict[str, object],
                 into_relation: bool, name: str, call_args: str = "R, IX, N, D") -> _Gen:
    """The loops of one branch, at the depth of a one-shot loop inside a function.

    ``into_relation``: emit straight into the head's relation (safe when the
    branch does not read its own head) instead of the dict of new facts.
    The returned ``lines`` and ``prologue`` are those of the branch's own
    function; ``helpers`` the functions it continues in, if it is long.
    """
    gen = _Gen(branch, name=name, call_args=call_args, constants=constants)
    depth = 2  # inside `def` and the one-shot loop that makes `continue` always legal
    for step in schedule(branch, first=delta_index):
        literal = branch.literals[step.index]
        if step.kind == "scan":
            assert isinstance(literal, Positive)
            depth = _scan(gen, literal.atom, step, depth, delta=step.index == delta_index)
        elif step.kind == "bind":
            assert step.value is not None
            gen.emit(depth, f"v_{step.binds[0]} = {gen.expr(step.value, depth)}")
            gen.bound.append(step.binds[0])
        elif step.kind == "test":
            assert isinstance(literal, Test)
            condition = _comparison(gen, literal.comparison, depth)
            gen.emit(depth, f"if {condition}: continue" if literal.negated else f"if not ({condition}): continue")
        else:  # absent
            assert isinstance(literal, Negative)
            relation = gen.relation(literal.atom.predicate)
            key = _tuple([gen.expr(a, depth) for a in literal.atom.args])
            gen.emit(depth, f"if {key} in {relation}: continue")
    head = branch.head
    relation = gen.relation(head.predicate)
    key = _tuple([gen.expr(a, depth) for a in head.args])
    record = ", ".join([str(branch.id)] + [f"v_{v}" for v in branch.stored])  # see lexkb.evaluate.engine.bindings
    gen.emit(depth, f"h = {key}")
    if into_relation:
        gen.emit(depth, f"if h not in {relation}: {relation}[h] = ({record},)")
    else:
        new = f"N_{_ident(head.predicate)}"
        gen.prologue[new] = f"N[{head.predicate!r}]"
        gen.emit(depth, f"if h not in {relation} and h not in {new}: {new}[h] = ({record},)")
    if gen.main is not None:  # the branch was split: close the last helper, hand back the first function
        gen.finish_function()
        gen.lines, gen.prologue = gen.main
    return gen


def compile_sequence(branches: list[Branch], indexed: set[str]) -> tuple[str, Callable[[dict, dict, Callable], None]]:
    """One function running non-recursive branches in order, each emitting straight into its relation.

    Branches of one predicate must be consecutive and must not read it. The
    function is called as ``f(R, IX, grow)``; ``grow(predicate, before)`` is
    called when a predicate in ``indexed`` gained facts, to extend its indexes.
    Fusing saves a Python call and a dict per rule per run, which dominates
    when a knowledge base has many small rules (propositional rule sets).
    """
    constants: dict[str, object] = {}
    prologue: dict[str, str] = {}
    lines: list[str] = []
    helpers: list[str] = []
    for position, branch in enumerate(branches):
        head = branch.head.predicate
        relation = f"F_{_ident(head)}"
        first = position == 0 or branches[position - 1].head.predicate != head
        last = position == len(branches) - 1 or branches[position + 1].head.predicate != head
        if first and head in indexed:
            lines.append(f"    before = len({relation})")
        gen = _branch_body(branch, None, constants, into_relation=True,
                           name=f"s{branch.id}", call_args="R, IX, None, None")
        prologue.update(gen.prologue)
        lines.append("    for _ in _ONCE:")
        lines.extend(gen.lines)
        helpers.extend(gen.helpers)
        if last and head in indexed:
            lines.append(f"    if len({relation}) > before: grow({head!r}, before)")
    source = ["def run_sequence(R, IX, grow):"] + [f"    {k} = {v}" for k, v in prologue.items()] + lines + helpers
    code = "\n".join(source) + "\n"
    namespace: dict[str, object] = {**_NAMESPACE, **constants}
    exec(compile(code, "<lexkb rules>", "exec"), namespace)  # noqa: S102 — our own generated code
    return code, namespace["run_sequence"]  # type: ignore[return-value]


def _scan(gen: _Gen, atom: ast.Atom, step: Step, depth: int, delta: bool) -> int:
    """Loops over the facts matching ``atom``, through the index the schedule chose."""
    binds, repeats = step.fresh, step.repeats
    if delta or binds or repeats:
        depth = gen.loop(depth)
    keys = [(position, gen.expr(atom.args[position], depth)) for position in step.keys]
    if delta:
        gen.prologue[f"D_{_ident(atom.predicate)}"] = f"D[{atom.predicate!r}]"
        gen.emit(depth, f"for a in D_{_ident(atom.predicate)}:")
        depth += 1
        for position, value in keys:
            gen.emit(depth, f"if a[{position}] != {value}: continue")
    elif not binds and not repeats:
        relation = gen.relation(atom.predicate)
        gen.emit(depth, f"if {_tuple([v for _, v in keys])} not in {relation}: continue")
        return depth
    elif keys:
        index = gen.index(atom.predicate, tuple(p for p, _ in keys))
        key = keys[0][1] if len(keys) == 1 else _tuple([v for _, v in keys])
        gen.emit(depth, f"for a in {index}.get({key}, ()):")
        depth += 1
    else:
        gen.emit(depth, f"for a in {gen.relation(atom.predicate)}:")
        depth += 1
    for position, variable in binds:
        gen.emit(depth, f"v_{variable} = a[{position}]")
        gen.bound.append(variable)
    for position, variable in repeats:
        gen.emit(depth, f"if a[{position}] != v_{variable}: continue")
    return depth


def _comparison(gen: _Gen, comparison: ast.Comparison, depth: int) -> str:
    left, right = gen.expr(comparison.left, depth), gen.expr(comparison.right, depth)
    return comparison_source(comparison.op, left, right)


def compile_program(branches: list[Branch], recursive_in_stratum: Callable[[Branch, str], bool]
                    ) -> tuple[list[CompiledBranch], set[IndexKey]]:
    """Compile every branch: a full plan, and a delta plan per recursive condition."""
    compiled: list[CompiledBranch] = []
    all_indexes: set[IndexKey] = set()
    for branch in branches:
        namespace: dict[str, object] = dict(_NAMESPACE)
        sources = []
        constants: dict[str, object] = {}
        src, indexes = compile_branch(branch, None, f"b{branch.id}_full", constants)
        sources.append(src)
        all_indexes |= indexes
        delta_names: list[tuple[str, str]] = []
        for index, literal in enumerate(branch.literals):
            if isinstance(literal, Positive) and recursive_in_stratum(branch, literal.atom.predicate):
                fname = f"b{branch.id}_d{index}"
                src, indexes = compile_branch(branch, index, fname, constants)
                sources.append(src)
                all_indexes |= indexes
                delta_names.append((literal.atom.predicate, fname))
        namespace.update(constants)
        code = "\n".join(sources)
        exec(compile(code, f"<lexkb rule {branch.label}>", "exec"), namespace)  # noqa: S102 — our own generated code
        compiled.append(CompiledBranch(
            branch,
            namespace[f"b{branch.id}_full"],  # type: ignore[arg-type]
            [(pred, namespace[fname]) for pred, fname in delta_names],  # type: ignore[misc]
            code,
        ))
    return compiled, all_indexes
