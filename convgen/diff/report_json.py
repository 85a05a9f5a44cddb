"""The comparison as JSON, for other programs.

Contract (issue 4): `{"articles": [{"status": "unchanged"|"changed"|"added"|"removed",
"left": {"number": str|null, "title": str}|null, "right": …, "changes": [{"old": str,
"new": str}]}]}`. The front matter, préambule and closing are entries whose number is null;
entries are in reading order of the new version, removed articles where they stood.
Renumbering shows as a left and right number that differ.

What lies outside the body of two Word documents is listed apart, in `"parts"`: `[{"zone":
"en-tête"|"pied de page"|"note de bas de page"|"note de fin"|"zone de texte"|"commentaire",
"name": "Note de bas de page n° 3", "status": …, "changes": [{"old": str, "new": str}]}]`
(empty for other documents).
"""

from __future__ import annotations

import json
from typing import Any

from convgen.diff import ArticleDiff, DocumentDiff
from convgen.diff.align import ANNEXE, Unit


def _side(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    title = unit.title
    if unit.kind == ANNEXE:
        title = f"{unit.label} – {unit.title}" if unit.title else unit.label
    return {"number": unit.number, "title": title}


def entry_dict(entry: ArticleDiff) -> dict[str, Any]:
    return {
        "status": entry.status,
        "left": _side(entry.left),
        "right": _side(entry.right),
        "changes": [{"old": c.old, "new": c.new} for c in entry.changes],
    }


def diff_to_dict(diff: DocumentDiff) -> dict[str, Any]:
    return {
        "articles": [entry_dict(e) for e in diff.entries],
        "parts": [
            {
                "zone": p.zone,
                "name": p.name,
                "status": p.status,
                "changes": [{"old": c.old, "new": c.new} for c in p.changes],
            }
            for p in diff.parts
        ],
    }


def render_json(diff: DocumentDiff) -> str:
    """JSON text of the comparison (UTF-8, accents kept, indented)."""
    return json.dumps(diff_to_dict(diff), ensure_ascii=False, indent=2) + "\n"
