"""convgen: partnership conventions from a clause library, Word models and partner YAML."""

__version__ = "0.1.0"
