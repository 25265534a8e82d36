"""The installed version of lexkb, read from the package metadata (written once, in pyproject.toml)."""

from importlib import metadata

try:
    __version__ = metadata.version("lexkb")
except metadata.PackageNotFoundError:  # a source tree that was never installed: say so rather than guess
    __version__ = "unknown (not installed)"
