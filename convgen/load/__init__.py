"""Stage 1, load: the project's YAML (instances, bases, tables), schemas and typed values,
the clause library and the models, each validated with every problem at its file:line.
"""
