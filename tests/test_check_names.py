"""Names of other partners (from instances/*.yaml) left in a convention copied from theirs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx

from convgen.check import check_document, check_paths
from convgen.check.names import load_party_names, name_key
from convgen.read.extract import read_document
from tests.seeds import seed_text

POITIERS = """\
modele: mutuelle-communale
ccas:
  nom: Centre communal d’action sociale de Poitiers
  nom_court: CCAS
  commune: Poitiers
organisme:
  nom: Mutuelle du Clain
"""
SAINT_CHAMOND = """\
modele: mutuelle-regionale
commune:
  nom: Commune de Saint-Chamond
  commune: SAINT CHAMOND
mutuelle:
  nom: Mutuelle MILTIS
"""


def _instances(tmp_path: Path) -> Path:
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "ccas-poitiers.yaml").write_text(POITIERS, encoding="utf-8")
    (folder / "saint-chamond.yaml").write_text(SAINT_CHAMOND, encoding="utf-8")
    (folder / "casse.yaml").write_text("commune: [nom: Lyon\n", encoding="utf-8")
    return folder


def test_names_are_read_tolerantly(tmp_path: Path) -> None:
    names = load_party_names(_instances(tmp_path))
    assert set(names.names) == {"ccas-poitiers", "saint-chamond"}  # casse.yaml is skipped
    assert name_key("Poitiers") in names.names["ccas-poitiers"]
    assert name_key("Saint-Chamond") in names.names["saint-chamond"]
    assert "ccas" not in names.names["ccas-poitiers"]  # shared by every CCAS: says nothing


def test_copied_convention_keeps_another_commune(tmp_path: Path) -> None:
    names = load_party_names(_instances(tmp_path))
    text = seed_text("001") + "\nLe CCAS de Poitiers sera informé des permanences.\n"
    path = tmp_path / "saint-chamond.txt"
    path.write_text(text, encoding="utf-8")
    findings = [
        f
        for f in check_document(read_document(path), names=names)
        if f.rule == "nom-autre-partenaire"
    ]
    assert [f.text for f in findings] == ["Poitiers"]
    assert findings[0].severity == "error"
    assert "ccas-poitiers" in findings[0].message
    assert findings[0].location.line == len(text.splitlines())


def test_own_names_are_not_reported(tmp_path: Path) -> None:
    names = load_party_names(_instances(tmp_path))
    path = tmp_path / "saint-chamond-v2.txt"  # the file name says whose document it is
    path.write_text(seed_text("001"), encoding="utf-8")
    findings = check_document(read_document(path), names=names)
    assert [f for f in findings if f.rule == "nom-autre-partenaire"] == []


def test_instance_from_the_docx_property(tmp_path: Path) -> None:
    names = load_party_names(_instances(tmp_path))
    document = docx.Document()
    document.add_paragraph("Convention entre la Commune de Saint-Chamond et la Mutuelle MILTIS.")
    document.add_paragraph("Le Centre communal d'action sociale de Poitiers est informé.")
    path = tmp_path / "brouillon.docx"
    document.save(str(path))
    _set_custom_property(path, "convgen.instance", "ccas-poitiers")
    doc = read_document(path)
    assert doc.properties["convgen.instance"] == "ccas-poitiers"
    findings = [f for f in check_document(doc, names=names) if f.rule == "nom-autre-partenaire"]
    assert sorted(f.text for f in findings) == ["Commune de Saint-Chamond", "Mutuelle MILTIS"]
    assert {f.location.paragraph for f in findings} == {1}


def test_unknown_instance_is_inferred_and_reported_as_warning(tmp_path: Path) -> None:
    names = load_party_names(_instances(tmp_path))
    path = tmp_path / "brouillon.txt"
    path.write_text(
        "La commune de Saint-Chamond et la Mutuelle MILTIS.\n"
        "Les habitants de SAINT CHAMOND.\n"
        "Comme à Poitiers, une réunion publique.\n",
        encoding="utf-8",
    )
    [finding] = [
        f
        for f in check_document(read_document(path), names=names)
        if f.rule == "nom-autre-partenaire"
    ]
    assert finding.text == "Poitiers" and finding.severity == "warning"


def test_names_rule_through_check_paths(tmp_path: Path) -> None:
    instances = _instances(tmp_path)
    path = tmp_path / "ccas-poitiers.txt"
    path.write_text("Convention du CCAS de Poitiers avec la Mutuelle MILTIS.\n", encoding="utf-8")
    report = check_paths([path], instances_dir=instances)
    assert [(f.rule, f.text) for f in report.findings] == [
        ("nom-autre-partenaire", "Mutuelle MILTIS")
    ]


def _set_custom_property(path: Path, name: str, value: str) -> None:
    """Add a docProps/custom.xml property (python-docx has no API for custom properties)."""
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{name}">'
        f"<vt:lpwstr>{value}</vt:lpwstr></property></Properties>"
    )
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i.filename) for i in src.infolist()}
    members["docProps/custom.xml"] = custom.encode()
    types = members["[Content_Types].xml"].decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/docProps/custom.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
    )
    members["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member, data in members.items():
            out.writestr(member, data)


REPO_INSTANCES = Path(__file__).resolve().parents[1] / "instances"


def test_seeds_named_after_the_bundled_instances(tmp_path: Path) -> None:
    # Each seed is the convention of one bundled instance: none of them names another partner,
    # and a Saint-Chamond text filed as Poitiers' is caught.
    for seed, instance in (
        ("000", "ccas-poitiers"),
        ("001", "saint-chamond"),
        ("004", "cpam-cote-opale"),
    ):
        (tmp_path / f"{instance}.txt").write_text(seed_text(seed), encoding="utf-8")
    report = check_paths([tmp_path], instances_dir=REPO_INSTANCES)
    assert len(report.files) == 3
    assert [f for f in report.findings if f.rule == "nom-autre-partenaire"] == []

    misfiled = tmp_path / "misfiled"
    misfiled.mkdir()
    (misfiled / "ccas-poitiers.txt").write_text(seed_text("001"), encoding="utf-8")
    report = check_paths([misfiled], instances_dir=REPO_INSTANCES)
    names = {f.text for f in report.findings if f.rule == "nom-autre-partenaire"}
    # names, and what else identifies the other partner: address, signatories, DPO, siège
    assert names == {
        "SAINT CHAMOND", "MUTUELLE MILTIS", "Mutuelle MILTIS", "Avenue Antoine PINET",
        "M Axel DUGUA", "M Patrick JULIEN", "M. Patrick JULIEN", "contact-cnll@miltis.fr",
        "25 cours Albert Thomas – 69003 Lyon",
    }  # fmt: skip


def test_names_inherited_from_a_base_instance(tmp_path: Path) -> None:
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "ami-niort.yaml").write_text(
        "modele: ami-mutuelle-communale\nccas:\n  nom: Centre communal d'action sociale de Niort\n"
        "  commune: Niort\n",
        encoding="utf-8",
    )
    (folder / "ccas-niort.yaml").write_text(
        "base: ami-niort.yaml\nmodele: mutuelle-communale\norganisme:\n  nom: Mutuelle du Marais\n",
        encoding="utf-8",
    )
    (folder / "ccas-poitiers.yaml").write_text(POITIERS, encoding="utf-8")
    names = load_party_names(folder)
    assert name_key("Niort") in names.names["ccas-niort"]  # inherited from the AMI
    path = tmp_path / "ccas-niort.txt"
    path.write_text(
        "Le CCAS de Niort et la Mutuelle du Marais, comme le CCAS de Poitiers.\n", encoding="utf-8"
    )
    findings = check_document(read_document(path), names=names)
    assert [f.text for f in findings if f.rule == "nom-autre-partenaire"] == ["Poitiers"]


def test_hostile_instances_are_skipped_in_little_time(tmp_path: Path) -> None:
    """An alias bomb or a recursive alias in another instance does not stop the names of the
    others from being read (the bounded loader refuses it at once)."""
    folder = _instances(tmp_path)
    levels = "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    (folder / "bombe.yaml").write_text(
        "modele: x\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + levels, encoding="utf-8"
    )
    (folder / "boucle.yaml").write_text("modele: x\ncommune: &c {nom: [*c]}\n", encoding="utf-8")
    names = load_party_names(folder)
    assert sorted(names.names) == ["ccas-poitiers", "saint-chamond"]
