"""From AST to a checked, stratified program and its compiled join plans."""
