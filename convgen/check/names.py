"""Names of other partners left in a convention copied from theirs.

A convention for Saint-Chamond started from Poitiers' may still say "le CCAS de Poitiers"
somewhere. The names come from `instances/*.yaml` (the keys `nom`, `nom_court`, `commune`,
`ville`, `raison_sociale`... of each section), read tolerantly: a file that does not parse is
skipped, since checking it is `convgen check instances/x.yaml`'s job, not this rule's.

The document's own instance is its docx property `convgen.instance`, else its file name
("saint-chamond.docx", "saint-chamond-v2.pdf"). When neither says, the instance whose names the
document uses most is taken as its own, and other instances' names are reported as warnings.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from convgen.check.model import ERROR, WARNING, Finding, Location
from convgen.load.inheritance import merged_data
from convgen.read.extract import DocumentText

NAME_KEYS = {
    "nom",
    "nom_court",
    "nom_long",
    "commune",
    "ville",
    "raison_sociale",
    "denomination",
    "sigle",
    "territoire",
}
# What identifies a party besides its name: its address, SIREN, signatory, place of signature
# and e-mail addresses (key ending in "email"; their domain too). Another partner's DPO or
# place of signature left in a convention is as wrong as its name.
IDENTITY_KEYS = {"adresse", "siege", "siren", "representant", "lieu_signature"}
INSTANCE_PROPERTY = "convgen.instance"

# Words every party shares: a name made only of these says nothing about whose document it is.
_GENERIC = set(
    "centre communal intercommunal d de du des la le les l action sociale ccas cias cpam caf "
    "commune ville mairie mutuelle association caisse primaire assurance maladie departement "
    "region communaute communes agglomeration metropole organisme partenaire et en sur saint "
    "sainte st ste conseil municipal regionale regional departemental generale groupe sa sas "
    "sarl cedex".split()
)


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")


@lru_cache(maxsize=16384)  # a batch's documents repeat most of their paragraphs
def name_key(text: str) -> str:
    """Comparison key: no accents, no case, hyphens and apostrophes as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return _NOT_ALNUM.sub(" ", _COMBINING.sub("", text)).strip()


# Paragraphs whose names are remembered (`PartyNames._search`), at most.
SEEN_LIMIT = 20_000


@dataclass
class PartyNames:
    """For each instance (file stem), the comparison keys of its names and how they are written.

    The names found in a paragraph are remembered by paragraph: the documents of one batch
    repeat most of their paragraphs, and a name is then looked for once, not once per document.
    """

    names: dict[str, dict[str, str]] = field(default_factory=dict)
    _base: PartyNames | None = field(default=None, repr=False, compare=False)
    _seen: dict[str, tuple[tuple[str, str], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def with_instance(self, instance: str, keys: dict[str, str]) -> PartyNames:
        """These names with `instance`'s replaced by `keys` (a table row's own names); the
        paragraphs already searched for these names are not searched again."""
        return PartyNames({**self.names, instance: keys}, _base=self)

    def hits(self, keyed: list[str], skip: str | None = None) -> list[tuple[int, str, str]]:
        """(paragraph index, instance, key) of every name found in the `keyed` paragraphs
        (each « ␣key␣ » text of `name_key`, as `check_names` builds them); the names of the
        instance `skip` (the document's own, when known) are not looked for."""
        base = self._base
        if base is None:
            return [h for h in self._search(keyed) if h[1] != skip]
        # The base's instances through its memory; the others (the row's) searched here.
        own = {i: k for i, k in self.names.items() if base.names.get(i) is not k and i != skip}
        found = [h for h in base._search(keyed) if h[1] not in own and h[1] != skip]
        if own:
            found += _find(keyed, own, range(len(keyed)))
        return sorted(found)

    def _search(self, keyed: list[str]) -> list[tuple[int, str, str]]:
        seen = self._seen
        new = [i for i, text in enumerate(keyed) if text not in seen]
        if new:
            if len(seen) + len(new) > SEEN_LIMIT:  # bounded: start again, this document whole
                seen.clear()
                new = list(range(len(keyed)))
            fresh: dict[int, list[tuple[str, str]]] = {i: [] for i in new}
            for i, instance, key in _find(keyed, self.names, new):
                fresh[i].append((instance, key))
            for i, hits in fresh.items():
                seen[keyed[i]] = tuple(hits)
        return [(i, instance, key) for i, text in enumerate(keyed) for instance, key in seen[text]]


def _find(
    keyed: list[str], names: dict[str, dict[str, str]], indexes: Iterable[int]
) -> list[tuple[int, str, str]]:
    """Names of `names` in the paragraphs `indexes` of `keyed`: one text searched once per key
    (a key holds no line break, so it cannot match across two paragraphs)."""
    chosen = list(indexes)
    starts: list[int] = []
    offset = 0
    for i in chosen:
        starts.append(offset)
        offset += len(keyed[i]) + 1
    joined = "\n".join(keyed[i] for i in chosen)
    found: list[tuple[int, str, str]] = []
    for instance, keys in names.items():
        for key in keys:
            needle = f" {key} "
            position = joined.find(needle)
            last = -1
            while position != -1:
                i = chosen[bisect_right(starts, position) - 1]
                if i != last:
                    found.append((i, instance, key))
                    last = i
                position = joined.find(needle, position + 1)
    return found


def load_party_names(instances_dir: Path | None) -> PartyNames:
    """Names of every instance in `instances_dir`; files that do not parse are skipped."""
    result = PartyNames()
    if instances_dir is None or not instances_dir.is_dir():
        return result
    for path in sorted([*instances_dir.glob("*.yaml"), *instances_dir.glob("*.yml")]):
        data = _instance_data(path)
        if not isinstance(data, dict):
            continue
        found: dict[str, str] = {}
        for value in _name_values(data, depth=0):
            for written in _variants(value):
                key = name_key(written)
                if distinctive(key):
                    found.setdefault(key, written)
        if found:
            result.names[path.stem] = found
    return result


def _instance_data(path: Path) -> object:
    """The instance's data with what it inherits (`base:`), read loosely; None if unreadable.

    A convention made from an AMI inherits the AMI's parties: their names are its own.
    """

    # The bounded loader (convgen.load.yamlload): an alias bomb or a recursive alias in another
    # instance costs nothing here, it is only skipped.
    return merged_data(path)


def _name_values(data: object, depth: int) -> list[str]:
    """Names in the sections of an instance (and their sub-sections).

    Lists are left out: they hold people (référents, contacts) whose names say less about
    whose convention it is than the parties' names.
    """
    values: list[str] = []
    if isinstance(data, dict) and depth < 3:
        for key, value in data.items():
            if key == "clauses":
                continue
            identity = key in NAME_KEYS or key in IDENTITY_KEYS or key.endswith("email")
            if identity and isinstance(value, str) and value.strip():
                values.append(value.strip())
            elif isinstance(value, dict):
                values.extend(_name_values(value, depth + 1))
    return values


def identity_values(data: object) -> list[str]:
    """What names or identifies a party in instance `data` (with e-mail domains)."""
    return [v for value in _name_values(data, depth=0) for v in _variants(value)]


def _variants(name: str) -> list[str]:
    """The name, and the place it ends with: "CCAS de Poitiers" → also "Poitiers"; an e-mail
    address, and its domain: "dpo@saint-chamond.fr" → also "saint-chamond.fr"."""
    variants = [name]
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", name, re.IGNORECASE):
        return [name, name.split("@", 1)[1]]
    parts = re.split(r"\s(?:de\s+la|de\s+l['’]|de|du|des)\s+", name)
    tail = parts[-1].strip()
    if len(parts) > 1 and tail[:1].isupper() and "," not in tail:
        variants.append(tail)
    return variants


def distinctive(key: str) -> bool:
    words = key.split()
    return len(key) >= 4 and any(w not in _GENERIC and not w.isdigit() for w in words)


def own_instance(doc: DocumentText, names: PartyNames) -> str | None:
    """The instance a document belongs to, by its docx property or its file name."""
    declared = doc.properties.get(INSTANCE_PROPERTY, "").strip()
    if declared:
        return Path(declared).stem
    stem = doc.path.stem.lower()
    for instance in sorted(names.names, key=len, reverse=True):
        if stem == instance.lower() or re.match(
            rf"{re.escape(instance.lower())}(?![a-z0-9])", stem
        ):
            return instance
    return None


def check_names(
    doc: DocumentText,
    names: PartyNames,
    labels: dict[int, str],
    texts: list[str],
    file: str,
) -> list[Finding]:
    """Findings for names of other instances appearing in `doc`."""
    own = own_instance(doc, names)
    if len(names.names) < 2 and own is None:
        return []
    # The document's own names are not looked for when its instance is known: they are its own.
    known = own if own in names.names else None
    hits = names.hits([f" {name_key(t)} " for t in texts], skip=known)
    if not hits:
        return []
    severity = ERROR
    if own not in names.names:
        # Unknown instance (or one whose file is not in this instances folder): its own names
        # are not known, so guess which partner the document is about.
        own = None
    if own is None:
        counts: dict[str, int] = {}
        for _, instance, _ in hits:
            counts[instance] = counts.get(instance, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if len(ranked) < 2 or ranked[0][1] == ranked[1][1]:
            return []  # one partner named, or no way to tell whose document it is
        own, severity = ranked[0][0], WARNING
    own_keys = set(names.names.get(own, {}))
    findings: list[Finding] = []
    reported: set[tuple[int, str]] = set()
    for i, instance, key in sorted(hits, key=lambda h: (h[0], -len(h[2]), h[1])):
        if instance == own or key in own_keys or any(key in k for k in own_keys):
            continue
        # "Centre communal d'action sociale de Poitiers" and "Poitiers" in one paragraph: once.
        if any(i == j and key in k for j, k in reported):
            continue
        reported.add((i, key))
        block = doc.blocks[i]
        written = names.names[instance][key]
        label = labels.get(i)
        article = f"Article {label}" if label and label[0].isdigit() else label
        findings.append(
            Finding(
                file,
                "nom-autre-partenaire",
                severity,
                f"« {written} » est un nom de l'instance {instance}, "
                f"pas de celle de ce document ({own})",
                _written_in(texts[i], written),
                Location(block.line, block.paragraph, block.page, article, block.zone),
            )
        )
    return findings


def _written_in(text: str, written: str) -> str:
    """The name as the document writes it (case, accents and hyphens may differ)."""
    key = name_key(written)
    words = list(re.finditer(r"[^\W_]+", text))
    n = len(key.split())
    for start in range(len(words) - n + 1):
        span = words[start : start + n]
        if name_key(" ".join(w.group() for w in span)) == key:
            return text[span[0].start() : span[-1].end()]
    return written
