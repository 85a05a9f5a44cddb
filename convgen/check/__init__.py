"""`convgen check`: what a draft still lacks before signature.

Placeholders in any form (`placeholders`), consistency of references, numbering and sommaire
(`consistency`), names of other partners (`names`), instance files (`instance_check`), accepted
false positives (`suppress`), and the text/JSON/SARIF reports (`report`).

    from convgen.check import check_paths
    report = check_paths(["out/"])
    report.exit_code  # 0 clean, 1 findings, 2 unreadable input
"""

from __future__ import annotations

from convgen.check.core import check_document, check_paths
from convgen.check.model import CheckReport, FileError, Finding, Location

__all__ = ["CheckReport", "FileError", "Finding", "Location", "check_document", "check_paths"]
