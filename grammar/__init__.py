"""The lexkb grammar (``lexkb.lark``), shipped as package data."""
