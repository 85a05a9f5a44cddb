"""`convgen check`: what a draft still lacks before signature.

One module per kind of finding:
- `placeholders` (with `fields`): blanks in any form — "XXXX", "M.....", "[Raison sociale]",
  "xx/xx/xx", an empty "Tél. :", "Fait à Calais, le" without a date...
- `figures`: "trente (20) jours", "31 avril 2025", an end before its start;
- `consistency`: references to missing articles or annexes, numbering, sommaire;
- `names`: names of other partners (from `instances/`) left in a copied convention;
- `revisions`: tracked changes and comments left in a .docx;
- `instance_check`: an instance file, before anything is rendered from it;
- `suppress`: accepted false positives (a marker in the document or `.convgen-check.yaml`);
- `report`: the text, JSON and SARIF reports. `core` runs them all over files and folders.

    from convgen.check import check_paths
    report = check_paths(["out/"])
    report.exit_code  # 0 clean, 1 findings, 2 unreadable input
"""

from __future__ import annotations

from convgen.check.core import check_document, check_paths
from convgen.check.model import CheckReport, FileError, Finding, Location

__all__ = ["CheckReport", "FileError", "Finding", "Location", "check_document", "check_paths"]
