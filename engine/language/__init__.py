"""Text in, AST out, and AST back to text: the parser, its diagnostics, the one printer, sources and case files."""
