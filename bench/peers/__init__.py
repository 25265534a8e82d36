"""One module per engine; each exposes a ``RUNNER`` (see bench/peers/base.py)."""

ENGINES = ("lexkb", "clingo", "clips", "pydatalog", "python")

_MODULES = {
    "lexkb": "bench.peers.lexkb_runner",
    "clingo": "bench.peers.clingo_runner",
    "clips": "bench.peers.clips_runner",
    "pydatalog": "bench.peers.pydatalog_runner",
    "python": "bench.peers.python_runner",
}


def get_runner(name):
    """Return the runner object of engine ``name`` (imports only the harness module)."""
    import importlib

    return importlib.import_module(_MODULES[name]).RUNNER
