"""Stage 2, assemble: the clauses chosen, numbered and rendered in the bounded Jinja sandbox,
French formatting and typography: an `Assembled` convention, complete and frozen.
"""
