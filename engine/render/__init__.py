"""Renderers: one output format each."""
