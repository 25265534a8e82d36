"""An authority's citation read into its parts for a hover: the reading itself lives in
:mod:`lexkb.language.citations`, shared with ``check`` (which warns when a citation is not recognised)."""

from __future__ import annotations

from lexkb.language.citations import describe_citation, parse_citation

__all__ = ["describe_citation", "parse_citation"]
