"""CLIPS through clipspy (pip ``clipspy``), in-process.

W1, W3: a new Environment, the rules built, the facts loaded in one
``load_facts`` call, ``run``. Extraction: ``save_facts`` to a temporary file and
the fact text parsed (much faster than walking 300,000 Fact objects).
W2: the rules are built once (timed, once); each case is ``reset`` + its facts +
``run``, and the true atoms are read as one string from a CLIPS deffunction over
``(get-fact-list)``. Not through ``env.facts()``: clipspy's Fact objects keep the
facts referenced, and the environment then slows down case after case (10x over
1,000 cases). Rules carry a salience
by stratum (lower head first) so that a `not` is tested only once every atom
below the head is settled — without it CLIPS's forward chaining can fire a rule
whose negated condition is later derived.
"""

from __future__ import annotations

import os
import re
import tempfile

from bench.peers.base import Runner

_FACT = {
    "W1": re.compile(r"\(path (-?\d+) (-?\d+)\)"),
    "W3": re.compile(r"\(result (-?\d+) (-?\d+)\)"),
}

#: the names of all facts, as one space-separated string
_TRUE_ATOMS = ('(deffunction true-atoms () (bind ?r "") '
               '(progn$ (?f (get-fact-list)) (bind ?r (str-cat ?r " " (fact-relation ?f)))) ?r)')


class ClipsRunner(Runner):
    name = "clips"

    def available(self):
        try:
            import clips  # noqa: F401
        except Exception as exc:  # pragma: no cover
            return f"clipspy not importable ({exc}); pip install clipspy"
        return None

    def setup(self):
        import clips

        self.clips = clips
        fd, self.tmp = tempfile.mkstemp(suffix=".clp")
        os.close(fd)

    def run(self, w, clock):
        with clock.loading():
            env = self.clips.Environment()
            for construct in w.clips_constructs():
                env.build(construct)
        if w.kind in ("W1", "W3"):
            static = w.clips_static_facts()
            if static:
                env.load_facts(static)
            case = w.clips_cases()[0]
            if case:
                env.load_facts(case)
            env.run()
            with clock.extracting():
                env.save_facts(self.tmp)
                with open(self.tmp) as fh:
                    text = fh.read()
                return {(int(a), int(b)) for a, b in _FACT[w.kind].findall(text)}
        if w.kind == "W2":
            with clock.loading():
                env.build(_TRUE_ATOMS)
            answers = []
            for case in w.clips_cases():
                env.reset()
                if case:
                    env.load_facts(case)
                env.run()
                with clock.extracting():
                    answers.append({int(name[1:]) for name in env.eval("(true-atoms)").split()})
            return answers
        raise ValueError(w.kind)


RUNNER = ClipsRunner()
