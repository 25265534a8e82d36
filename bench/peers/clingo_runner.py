"""clingo (Potassco ASP; pip ``clingo``): ground + solve in-process.

W1, W3: one Control with the program and the case's facts, one model.
W2: every case from scratch — a new Control, the rules plus that case's facts,
ground, solve. Extraction: the shown atoms of the model, turned into Python ints
through their text (faster than walking Symbol arguments through the C API).
"""

from __future__ import annotations

import re

from bench.peers.base import Runner

_ARGS = re.compile(r"\((-?\d+),(-?\d+)\)")


class ClingoRunner(Runner):
    name = "clingo"

    def available(self):
        try:
            import clingo  # noqa: F401
        except Exception as exc:  # pragma: no cover - depends on the machine
            return f"clingo not importable ({exc}); pip install clingo"
        return None

    def setup(self):
        import clingo

        self.clingo = clingo

    def run(self, w, clock):
        clingo = self.clingo
        if w.kind in ("W1", "W3"):
            program = w.clingo_program()
            case = w.clingo_cases()[0]
            ctl = clingo.Control(["--warn=none"])
            ctl.add("base", [], program + case)
            ctl.ground([("base", [])])
            syms = []

            def on_model(m):
                with clock.extracting():
                    syms.extend(m.symbols(shown=True))

            ctl.solve(on_model=on_model)
            with clock.extracting():
                text = " ".join(map(str, syms))
                return {(int(a), int(b)) for a, b in _ARGS.findall(text)}
        if w.kind == "W2":
            rules = w.clingo_program()
            answers = []
            for case in w.clingo_cases():
                ctl = clingo.Control(["--warn=none"])
                ctl.add("base", [], rules + case)
                ctl.ground([("base", [])])
                found = []

                def on_model(m, found=found):
                    with clock.extracting():
                        found.append({int(s.name[1:]) for s in m.symbols(atoms=True)})

                ctl.solve(on_model=on_model)
                answers.append(found[0])
            return answers
        raise ValueError(w.kind)


RUNNER = ClingoRunner()
