"""Why and why not: derivation graphs built from a result's records."""
