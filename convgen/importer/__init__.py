"""`convgen import`: from an existing convention (Word, PDF, text) to an instance that rebuilds it.

The document is read and cut into articles by the project's readers (`convgen.read.extract`,
`convgen.read.structure`), its articles are paired with the clause variants of the library the way
`convgen deviations` does it, and each variant's template is aligned with the article's text to
recover the values between its literal pieces (`recover`). A value is kept only when rendering
it again gives the text of the document back (`parse_values`). The instance is then built and
compared with the source article by article (`convgen.diff`): the report says which articles
rebuild identically and, for the others, why.
"""

from convgen.importer.core import ImportResult, import_document

__all__ = ["ImportResult", "import_document"]
