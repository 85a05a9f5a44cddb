"""What `convgen check` reports: findings, accepted findings and unreadable files.

A `Finding` is one thing a draft still lacks (a placeholder, a broken reference...), with where it
stands in its file. The JSON contract of `--format json` is built from these fields only, so
renaming one is a breaking change for the tools that read the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from convgen.check.rules import BLANK, DOCUMENT, Severity, titles, warning_rules

ERROR = Severity.ERROR.value
WARNING = Severity.WARNING.value

# Rules other than the placeholder ones, with what they report (`check.rules`).
OTHER_RULES: dict[str, str] = titles(DOCUMENT)
WARNING_RULES = warning_rules()


def all_rules() -> dict[str, str]:
    """Every rule id with its French title, in the registry's order (`check.rules`)."""
    return {**titles(BLANK), **OTHER_RULES}


@dataclass(frozen=True)
class Location:
    """Where a finding stands: one of line (.txt/.md/.yaml), paragraph (.docx), page (.pdf)."""

    line: int | None = None
    paragraph: int | None = None
    page: int | None = None
    article: str | None = None
    zone: str = "corps"  # "en-tête", "pied de page"... for text outside the body of a .docx


@dataclass(frozen=True)
class Finding:
    """One problem found in one file.

    `rule` is a stable identifier (tools and `.convgen-check.yaml` refer to it); `text` is the
    offending text as the reader sees it; `justification` is set when the finding was accepted.
    """

    file: str
    rule: str
    severity: str
    message: str
    text: str
    location: Location = field(default_factory=Location)
    justification: str | None = None
    # The paragraph around `text`, for people (the text report); not part of the JSON contract.
    context: str | None = field(default=None, compare=False)

    # How it was accepted: "document" (a marker in the text) or "configuration".
    accepted_by: str | None = field(default=None, compare=False)

    def accepted(self, justification: str, by: str = "configuration") -> Finding:
        return replace(self, justification=justification, accepted_by=by)


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked at all (corrupt, zip bomb, encrypted, scanned...)."""

    file: str
    message: str


@dataclass
class CheckReport:
    """Everything one `convgen check` run found, over all its files."""

    findings: list[Finding] = field(default_factory=list)
    accepted: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file looked at, in order

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings remain, 2 some input could not be read."""
        if self.errors:
            return 2
        return 1 if self.findings else 0

    def extend(self, other: CheckReport) -> None:
        self.findings.extend(other.findings)
        self.accepted.extend(other.accepted)
        self.errors.extend(other.errors)
        self.files.extend(other.files)
