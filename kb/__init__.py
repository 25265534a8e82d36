"""The bundled § 3582(c)(2) knowledge base, shipped as package data."""
