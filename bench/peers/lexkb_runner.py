"""lexkb through its Python API (issue 5):

    import lexkb
    kb = lexkb.loads(program_text)        # or lexkb.load([path]) on a temporary file
    res = kb.run(mapping)                 # {predicate: [tuple, ...]}
    res.facts("path")                     # sorted list of tuples
    res.holds("p5")

W1, W3: the program (facts and rules) is loaded and run once per timed run, with the
case's mapping (W3: the people as ``person`` facts). W2: the rules are compiled once
(timed, once) and each case is ``kb.run({"p3": [()], ...})`` against the compiled
knowledge base; the true atoms are read with ``res.holds(("p5", ()))`` (the tuple form of
an atom, which the API takes without parsing text). W4: the bundled knowledge base
``kb/`` is loaded once and run over the generated cases.

If ``import lexkb`` fails (package not installed yet) the runner falls back to
loading ``engine/`` from the repository as the ``lexkb`` package.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile

from bench.peers.base import Runner
from bench.workloads import REPO

#: subpackages that live outside engine/ and that the engine imports (pyproject.toml's
#: package-dir mapping); cli/ is not needed by the benchmark
_SUBPACKAGES = {"grammar": "grammar"}


def _package(name, folder, exec_now=True):
    init = folder / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(folder)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    if exec_now:
        spec.loader.exec_module(mod)
    return mod, spec


def import_lexkb():
    """``import lexkb``; if the package is not installed, load ``engine/`` as ``lexkb``
    (and grammar/ as ``lexkb.grammar``, as pyproject.toml maps it)."""
    try:
        import lexkb

        return lexkb
    except ImportError:
        if not (REPO / "engine" / "__init__.py").exists():
            raise
        for key in [k for k in sys.modules if k == "lexkb" or k.startswith("lexkb.")]:
            del sys.modules[key]
        try:
            mod, spec = _package("lexkb", REPO / "engine", exec_now=False)
            for sub, folder in _SUBPACKAGES.items():
                if (REPO / folder / "__init__.py").exists():
                    setattr(mod, sub, _package(f"lexkb.{sub}", REPO / folder)[0])
            spec.loader.exec_module(mod)
        except Exception:
            for key in [k for k in sys.modules if k == "lexkb" or k.startswith("lexkb.")]:
                del sys.modules[key]
            raise
        return mod


class LexkbRunner(Runner):
    name = "lexkb"
    kinds = ("W1", "W2", "W3", "W4")

    def available(self):
        try:
            lexkb = import_lexkb()
        except Exception as exc:
            return f"lexkb not importable yet ({type(exc).__name__}: {exc})"
        if not (hasattr(lexkb, "loads") or hasattr(lexkb, "load")):
            return "lexkb has neither loads() nor load()"
        return None

    def setup(self):
        self.lexkb = import_lexkb()
        self._tmpdir = tempfile.mkdtemp(prefix="lexkb-bench-")

    def supports(self, w):
        if w.kind == "W4":
            return (REPO / "kb").is_dir()
        return w.kind in self.kinds

    def _loads(self, text):
        if hasattr(self.lexkb, "loads"):
            return self.lexkb.loads(text)
        path = os.path.join(self._tmpdir, "bench.rules")
        with open(path, "w") as fh:
            fh.write(text)
        return self.lexkb.load([path])

    def run(self, w, clock):
        if w.kind in ("W1", "W3"):
            kb = self._loads(w.lexkb_program())
            res = kb.run(w.lexkb_cases()[0])
            with clock.extracting():
                return set(res.facts(w.target))
        if w.kind == "W2":
            with clock.loading():
                kb = self._loads(w.lexkb_program())
            # the tuple form of an atom skips parsing the atom's text
            names = [(i, (f"p{i}", ())) for i in range(w.n_atoms)]
            answers = []
            for case in w.lexkb_cases():
                res = kb.run(case)
                with clock.extracting():
                    answers.append({i for i, name in names if res.holds(name)})
            return answers
        if w.kind == "W4":
            with clock.loading():
                kb = self.lexkb.load(w.kb_paths())
            out = []
            for case in w.lexkb_cases():
                res = kb.run(case)
                with clock.extracting():
                    out.append((bool(res.holds(("deny", ()))), bool(res.holds(("eligible", ())))))
            return out
        raise ValueError(w.kind)


RUNNER = LexkbRunner()
