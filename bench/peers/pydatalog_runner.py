"""pyDatalog (pip ``pyDatalog``), in-process.

Each run starts from ``pyDatalog.clear()``, loads the rules (``pyDatalog.load``
syntax) and asserts the facts with ``assert_fact``. W1, W3: one query of the
target predicate. W2: the rules are loaded once (timed, once); each case asserts its
facts, asks every atom ``p<i>(0)`` and retracts its facts again (pyDatalog resets its
tables when facts change). pyDatalog's ``max`` is an aggregate, so W3's
``max(Lo, 100)`` is written as two rules (``Lo >= 100`` / ``Lo < 100``).
"""

from __future__ import annotations

from bench.peers.base import Runner

_QUERY = {"W1": "path(X, Y)", "W3": "result(I, M)"}


class PyDatalogRunner(Runner):
    name = "pydatalog"

    def available(self):
        try:
            from pyDatalog import pyDatalog  # noqa: F401
        except Exception as exc:  # pragma: no cover
            return f"pyDatalog not importable ({exc}); pip install pyDatalog"
        return None

    def setup(self):
        from pyDatalog import pyDatalog

        self.pd = pyDatalog

    def run(self, w, clock):
        pd = self.pd
        with clock.loading():
            pd.clear()
            pd.load(w.pydatalog_rules())
            for pred, args in w.pydatalog_static_facts():
                pd.assert_fact(pred, *args)
        if w.kind in ("W1", "W3"):
            for pred, args in w.pydatalog_cases()[0]:
                pd.assert_fact(pred, *args)
            ans = pd.ask(_QUERY[w.kind])
            with clock.extracting():
                return set(map(tuple, ans.answers)) if ans else set()
        if w.kind == "W2":
            queries = [(i, f"p{i}(0)") for i in range(w.n_atoms)]
            answers = []
            for case in w.pydatalog_cases():
                for pred, args in case:
                    pd.assert_fact(pred, *args)
                answers.append({i for i, q in queries if pd.ask(q)})
                for pred, args in case:
                    pd.retract_fact(pred, *args)
            return answers
        raise ValueError(w.kind)


RUNNER = PyDatalogRunner()
