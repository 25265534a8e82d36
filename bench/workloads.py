"""Workload generators for the benchmark (see issue 5 and bench/README.md).

Each workload object produces, lazily and deterministically:

* ``lexkb_program()`` — lexkb program text, and ``lexkb_cases()`` — the list of case
  mappings to run against it (``{predicate: [tuple, ...]}``; one ``{}`` when the
  program holds all its facts);
* ``clingo_program()`` / ``clingo_cases()`` — the equivalent ASP text (facts of each
  case as ASP text, to add to the program for that case);
* ``clips_constructs()`` / ``clips_static_facts()`` / ``clips_cases()`` — CLIPS rules
  and facts text;
* ``pydatalog_rules()`` / ``pydatalog_static_facts()`` / ``pydatalog_cases()`` —
  pyDatalog rules (``pyDatalog.load`` syntax) and facts as ``(predicate, args)``;
* the raw data the hand-written plain-Python baseline uses;
* ``canonical()`` — the expected answer, computed directly from the data (not by
  any of the engines), in the normal form every runner returns:

  - W1, W3: a ``set`` of int tuples of the target predicate (``path``, ``result``);
  - W2: a ``list`` (one per case, in order) of ``set`` of atom indexes that are true
    (base atoms included: ``p3`` is 3).

``answer_digest(answer)`` turns such an answer into a short, order-independent digest
so that a runner in a subprocess can report what it found without shipping the
answer back.

Nothing here imports an engine.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import random
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE_CSV_CANDIDATES = (
    REPO / "bench" / "data" / "sentencing_table.csv",
    REPO.parent / "shared" / "data" / "sentencing_table.csv",
    REPO / "kb" / "data" / "sentencing_table.csv",
)

#: "life" in the Sentencing Table is encoded as this many months, identically for
#: every engine (so all 258 cells take part in W3).
LIFE_MONTHS = 9999
CHC_CODES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}


def _memo(fn):
    """Cache a workload's generated text/data on the instance, so that generating it
    can be done before the timed region (``prepare``) and is never timed."""
    name = fn.__name__

    def wrapper(self):
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = fn(self)
        return cache[name]

    wrapper.__name__ = name
    wrapper.__doc__ = fn.__doc__
    return wrapper


def prepare(workload, engine: str):
    """Generate (and cache) everything ``engine`` will ask of ``workload``."""
    prefix = {"python": None}.get(engine, engine + "_")
    for attr in dir(workload):
        if prefix and attr.startswith(prefix) or attr == "edges":
            getattr(workload, attr)()


def answer_digest(answer) -> str:
    """Order-independent digest of an answer in normal form (see module docstring)."""
    if isinstance(answer, (set, frozenset)):
        norm = sorted(tuple(t) for t in answer)
    else:  # W2: one set per case, order of cases matters
        norm = [sorted(s) for s in answer]
    return hashlib.sha256(repr(norm).encode()).hexdigest()[:16]


def answer_size(answer) -> int:
    if isinstance(answer, (set, frozenset)):
        return len(answer)
    return sum(len(s) for s in answer)


# --------------------------------------------------------------------------- W1


class W1Chain:
    """W1 — transitive closure of a chain of ``n`` nodes: edge(i, i+1), i = 1..n-1.

    ``path`` has n(n-1)/2 tuples (N = 800 gives 319,600).
    """

    kind = "W1"
    target = "path"

    def __init__(self, n: int = 800):
        self.n = n
        self.size = n
        self.label = f"W1 transitive closure, chain of {n} nodes"

    @_memo
    def edges(self):
        return [(i, i + 1) for i in range(1, self.n)]

    # lexkb
    @_memo
    def lexkb_program(self) -> str:
        lines = [f"# W1: transitive closure on a chain of {self.n} nodes"]
        lines += [f"edge({a}, {b})" for a, b in self.edges()]
        lines += [
            "path(?x, ?y) if edge(?x, ?y)",
            "path(?x, ?z) if path(?x, ?y) and edge(?y, ?z)",
        ]
        return "\n".join(lines) + "\n"

    @_memo
    def lexkb_cases(self):
        return [{}]

    # clingo
    @_memo
    def clingo_program(self) -> str:
        facts = "".join(f"edge({a},{b}).\n" for a, b in self.edges())
        return facts + "path(X,Y) :- edge(X,Y).\npath(X,Z) :- path(X,Y), edge(Y,Z).\n#show path/2.\n"

    @_memo
    def clingo_cases(self):
        return [""]

    # CLIPS
    @_memo
    def clips_constructs(self):
        return [
            "(defrule path-base (edge ?x ?y) => (assert (path ?x ?y)))",
            "(defrule path-step (path ?x ?y) (edge ?y ?z) => (assert (path ?x ?z)))",
        ]

    @_memo
    def clips_static_facts(self) -> str:
        return " ".join(f"(edge {a} {b})" for a, b in self.edges())

    @_memo
    def clips_cases(self):
        return [""]

    # pyDatalog
    @_memo
    def pydatalog_rules(self) -> str:
        return "path(X, Y) <= edge(X, Y)\npath(X, Z) <= path(X, Y) & edge(Y, Z)\n"

    @_memo
    def pydatalog_static_facts(self):
        return [("edge", e) for e in self.edges()]

    @_memo
    def pydatalog_cases(self):
        return [[]]

    def canonical(self):
        return {(i, j) for i in range(1, self.n + 1) for j in range(i + 1, self.n + 1)}


# --------------------------------------------------------------------------- W2


class W2Propositional:
    """W2 — ``n_rules`` stratified propositional rules over ``n_atoms`` atoms p0..p99,
    evaluated for ``n_cases`` cases, each case from scratch.

    Rules read ``head if a and b and not c``: 1–3 positive and 0–1 negated conditions,
    every body atom's index below the head's (stratified by atom order). Heads are
    p30..p99 (each of them heads at least one rule, so every atom a body names is
    either a base atom or defined); base atoms are p0..p29, declared as inputs. Each
    case states 20 random base atoms out of the lowest 30. Seeded: deterministic.
    """

    kind = "W2"
    target = None

    def __init__(self, n_cases: int = 1000, n_rules: int = 200, n_atoms: int = 100,
                 n_base: int = 30, facts_per_case: int = 20, seed: int = 20240502):
        self.n_cases, self.n_rules, self.n_atoms = n_cases, n_rules, n_atoms
        self.n_base, self.facts_per_case, self.seed = n_base, facts_per_case, seed
        self.size = n_cases
        self.label = f"W2 {n_rules} stratified propositional rules x {n_cases} cases"
        rng = random.Random(seed)
        heads = list(range(n_base, n_atoms))
        heads += [rng.randrange(n_base, n_atoms) for _ in range(n_rules - len(heads))]
        rng.shuffle(heads)
        rules = []
        for h in heads:
            pos = rng.sample(range(h), rng.randint(1, 3))
            neg = None
            if rng.random() < 0.5:
                neg = rng.choice([a for a in range(h) if a not in pos])
            rules.append((h, tuple(pos), neg))
        #: list of (head, positive atoms, negated atom or None)
        self.rules = rules
        #: list of sorted lists of base atom indexes, one per case
        self.cases = [sorted(rng.sample(range(n_base), facts_per_case)) for _ in range(n_cases)]

    # lexkb
    @_memo
    def lexkb_program(self) -> str:
        lines = [f"# W2: {self.n_rules} stratified propositional rules (seed {self.seed})"]
        lines += [f"input p{i}" for i in range(self.n_base)]
        for h, pos, neg in self.rules:
            conds = [f"p{a}" for a in pos] + ([f"not p{neg}"] if neg is not None else [])
            lines.append(f"p{h} if " + " and ".join(conds))
        return "\n".join(lines) + "\n"

    @_memo
    def lexkb_cases(self):
        return [{f"p{a}": [()] for a in case} for case in self.cases]

    # clingo
    @_memo
    def clingo_program(self) -> str:
        out = []
        for h, pos, neg in self.rules:
            conds = [f"p{a}" for a in pos] + ([f"not p{neg}"] if neg is not None else [])
            out.append(f"p{h} :- {', '.join(conds)}.")
        return "\n".join(out) + "\n"

    @_memo
    def clingo_cases(self):
        return ["".join(f"p{a}." for a in case) for case in self.cases]

    # CLIPS: salience by stratum (lower head index fires first), so that `not` is
    # only tested once everything below the head is settled.
    @_memo
    def clips_constructs(self):
        out = []
        for r, (h, pos, neg) in enumerate(self.rules):
            conds = " ".join(f"(p{a})" for a in pos)
            if neg is not None:
                conds += f" (not (p{neg}))"
            out.append(f"(defrule r{r} (declare (salience {self.n_atoms - h})) {conds} => (assert (p{h})))")
        return out

    @_memo
    def clips_static_facts(self) -> str:
        return ""

    @_memo
    def clips_cases(self):
        return [" ".join(f"(p{a})" for a in case) for case in self.cases]

    # pyDatalog: one unary predicate per atom, queried with the constant 0; every
    # predicate gets a dummy fact p<i>('_') so that it is defined (pyDatalog
    # refuses `~p40(X)` on an undefined predicate); '_' never reaches an answer.
    @_memo
    def pydatalog_rules(self) -> str:
        out = []
        for h, pos, neg in self.rules:
            conds = [f"p{a}(X)" for a in pos] + ([f"~p{neg}(X)"] if neg is not None else [])
            out.append(f"p{h}(X) <= " + " & ".join(conds))
        return "\n".join(out) + "\n"

    @_memo
    def pydatalog_static_facts(self):
        return [(f"p{i}", ("_",)) for i in range(self.n_atoms)]

    @_memo
    def pydatalog_cases(self):
        return [[(f"p{a}", (0,)) for a in case] for case in self.cases]

    def canonical(self):
        """Stratum by stratum (atom order), straight from the rule list."""
        by_head = {}
        for h, pos, neg in self.rules:
            by_head.setdefault(h, []).append((pos, neg))
        answers = []
        for case in self.cases:
            true = set(case)
            for h in range(self.n_atoms):
                for pos, neg in by_head.get(h, ()):
                    if all(a in true for a in pos) and (neg is None or neg not in true):
                        true.add(h)
                        break
            answers.append(true)
        return answers


# --------------------------------------------------------------------------- W3


def load_sentencing_table(path: Path | None = None):
    """The Sentencing Table as (level, chc, lo, hi) ints; CHC I..VI → 1..6 and
    "life" → LIFE_MONTHS. 258 cells."""
    if path is None:
        path = next((p for p in TABLE_CSV_CANDIDATES if p.exists()), None)
        if path is None:
            raise FileNotFoundError("sentencing_table.csv not found in " + ", ".join(map(str, TABLE_CSV_CANDIDATES)))
    cells = []
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            def months(v):
                return LIFE_MONTHS if v.strip() == "life" else int(v)
            cells.append((int(row["level"]), CHC_CODES[row["category"].strip()], months(row["min"]), months(row["max"])))
    return cells


class W3Join:
    """W3 — join of ``n_people`` people with the 258-cell Sentencing Table and `max`:

        result(id, m) :- person(id, L, C), table_range(L, C, Lo, Hi), m = max(Lo, 100)

    person(id, level 1..43, chc 1..6), seeded. The table is a program fact set; the
    people are the case (lexkb: ``input person(int, int, int)``).
    """

    kind = "W3"
    target = "result"

    def __init__(self, n_people: int = 10_000, seed: int = 3582):
        self.n_people, self.seed = n_people, seed
        self.size = n_people
        self.label = f"W3 join of {n_people} people with the 258-cell table, max"
        self.table = load_sentencing_table()
        rng = random.Random(seed)
        self.people = [(i, rng.randint(1, 43), rng.randint(1, 6)) for i in range(1, n_people + 1)]

    # lexkb
    @_memo
    def lexkb_program(self) -> str:
        lines = ["# W3: people joined with the Sentencing Table (CHC I..VI as 1..6, life as "
                 f"{LIFE_MONTHS})", "input person(int, int, int)"]
        lines += [f"table_range({lvl}, {c}, {lo}, {hi})" for lvl, c, lo, hi in self.table]
        lines.append("result(?id, ?m) if person(?id, ?l, ?c) and table_range(?l, ?c, ?lo, ?hi)"
                     " and ?m = max(?lo, 100)")
        return "\n".join(lines) + "\n"

    @_memo
    def lexkb_cases(self):
        return [{"person": list(self.people)}]

    # clingo: max(Lo, 100) as two rules (clingo terms have no max function; the
    # #max aggregate is slower and no more faithful).
    @_memo
    def clingo_program(self) -> str:
        facts = "".join(f"table_range({lvl},{c},{lo},{hi}).\n" for lvl, c, lo, hi in self.table)
        return facts + (
            "result(I,Lo) :- person(I,L,C), table_range(L,C,Lo,Hi), Lo >= 100.\n"
            "result(I,100) :- person(I,L,C), table_range(L,C,Lo,Hi), Lo < 100.\n"
            "#show result/2.\n")

    @_memo
    def clingo_cases(self):
        return ["".join(f"person({i},{lvl},{c}).\n" for i, lvl, c in self.people)]

    # CLIPS has max natively
    @_memo
    def clips_constructs(self):
        return ["(defrule result (person ?id ?l ?c) (table_range ?l ?c ?lo ?hi) => "
                "(assert (result ?id (max ?lo 100))))"]

    @_memo
    def clips_static_facts(self) -> str:
        return " ".join(f"(table_range {lvl} {c} {lo} {hi})" for lvl, c, lo, hi in self.table)

    @_memo
    def clips_cases(self):
        return [" ".join(f"(person {i} {lvl} {c})" for i, lvl, c in self.people)]

    # pyDatalog: max() is an aggregate there, so two rules as for clingo
    @_memo
    def pydatalog_rules(self) -> str:
        return ("result(I, Lo) <= person(I, L, C) & table_range(L, C, Lo, Hi) & (Lo >= 100)\n"
                "result(I, 100) <= person(I, L, C) & table_range(L, C, Lo, Hi) & (Lo < 100)\n")

    @_memo
    def pydatalog_static_facts(self):
        return [("table_range", t) for t in self.table]

    @_memo
    def pydatalog_cases(self):
        return [[("person", p) for p in self.people]]

    def canonical(self):
        lo_of = {(lvl, c): lo for lvl, c, lo, hi in self.table}
        return {(i, max(lo_of[(lvl, c)], 100)) for i, lvl, c in self.people}


# --------------------------------------------------------------------------- W4

KB_DIR = REPO / "kb"
AMENDMENTS = (706, 750, 782, 794, 821)
CHC_SYMBOLS = ("I", "II", "III", "IV", "V", "VI")
OFFENSE_CATEGORIES = ("drug", "illegal_reentry", "firearm", "robbery", "other")


def _random_date(rng: random.Random, start: _dt.date, end: _dt.date) -> _dt.date:
    return start + _dt.timedelta(days=rng.randrange((end - start).days + 1))


def kb_cases(n: int, seed: int = 1):
    """Hook for W4: ``n`` random case mappings for the bundled knowledge base in kb/.

    Each mapping is ``{input predicate: [argument tuple, ...]}`` over the inputs the
    knowledge base declares (spec: shared/spec/sentence-reduction-kb.md):
    offense_level (int 1..45), criminal_history_category (symbol I..VI, given here as
    a Python ``str``), offense_category (drug, illegal_reentry, firearm, robbery,
    other), mandatory_minimum_months (int, optional), sentence_months (int),
    sentenced_on (date), relies_on_amendment (706/750/782/794/821),
    claimed_level_reduction (0..4), career_offender (optional flag: ``[()]``) and
    order_on (date, after sentenced_on). Dates are ``datetime.date``.

    Value encodings follow engine/values.py: symbols are plain ``str``, dates
    ``datetime.date``. TODO(lead): add inputs as the knowledge base grows, and tune the
    distributions so that every ground of decision is exercised.
    """
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        level = rng.randint(1, 45)
        sentenced = _random_date(rng, _dt.date(1995, 1, 1), _dt.date(2023, 12, 31))
        case = {
            "offense_level": [(level,)],
            "criminal_history_category": [(rng.choice(CHC_SYMBOLS),)],
            "offense_category": [(rng.choice(OFFENSE_CATEGORIES),)],
            "sentence_months": [(rng.randint(0, 480),)],
            "sentenced_on": [(sentenced,)],
            "relies_on_amendment": [(rng.choice(AMENDMENTS),)],
            "claimed_level_reduction": [(rng.randint(0, 4),)],
            "order_on": [(_random_date(rng, sentenced, _dt.date(2025, 12, 31)),)],
        }
        if rng.random() < 0.4:
            case["mandatory_minimum_months"] = [(rng.choice((60, 120, 240, 300)),)]
        if rng.random() < 0.15:
            case["career_offender"] = [()]
        cases.append(case)
    return cases


class W4KnowledgeBase:
    """W4 — the bundled § 3582(c)(2) knowledge base (kb/) over ``n_cases`` generated
    cases (``kb_cases``). lexkb only: there is no peer encoding of the knowledge base,
    so this reports throughput (cases per second), not a comparison."""

    kind = "W4"
    target = None

    def __init__(self, n_cases: int = 2000, seed: int = 1):
        self.n_cases, self.seed = n_cases, seed
        self.size = n_cases
        self.label = f"W4 bundled knowledge base (kb/) over {n_cases} generated cases"

    def kb_paths(self):
        return [str(KB_DIR)]

    @_memo
    def lexkb_cases(self):
        return kb_cases(self.n_cases, self.seed)

    def canonical(self):
        return None

    @staticmethod
    def summarize(answer):
        """``answer`` is a list of (deny holds, eligible holds) per case."""
        deny = sum(1 for d, e in answer if d and not e)
        elig = sum(1 for d, e in answer if e and not d)
        both = sum(1 for d, e in answer if d and e)
        return f"deny {deny}, eligible {elig}, both {both}, neither {len(answer) - deny - elig - both}"


# --------------------------------------------------------------------------- registry

#: full-size parameters (issue 5) and --quick ones
SIZES = {
    "W1": {"full": [100, 200, 400, 800], "quick": [50, 100]},
    "W2": {"full": [1000], "quick": [50]},
    "W3": {"full": [10_000], "quick": [1000]},
    "W4": {"full": [2000], "quick": [100]},
}


def make(kind: str, size: int):
    """Build workload ``kind`` ("W1".."W4") at ``size`` (nodes, cases, people, cases)."""
    if kind == "W1":
        return W1Chain(size)
    if kind == "W2":
        return W2Propositional(n_cases=size)
    if kind == "W3":
        return W3Join(n_people=size)
    if kind == "W4":
        return W4KnowledgeBase(n_cases=size)
    raise ValueError(f"unknown workload {kind!r}")
