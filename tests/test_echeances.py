"""Deadlines of seed-derived conventions, against dates computed by hand."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from convgen.cli import cli
from convgen.compose.french import Duree
from convgen.lifecycle.calendar_ics import deadlines_ics
from convgen.lifecycle.deadlines import (
    DeadlineKind,
    all_deadlines,
    minus,
    working_day_on_or_before,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def variant(project: Path, name: str, **changes: str) -> Path:
    """A copy of the Saint-Chamond instance (seed 001) with some values changed."""
    text = (project / "instances/saint-chamond.yaml").read_text(encoding="utf-8")
    for old in changes:
        assert old in text, old
    for old, new in changes.items():
        text = text.replace(old, new, 1)
    path = project / "instances" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def of_kind(deadlines: list, kind: DeadlineKind) -> list[date]:
    return [d.date for d in deadlines if d.kind is kind]


def test_month_end_clamping_and_working_days() -> None:
    # 31 August − 2 months: there is no 31 June.
    assert minus(date(2026, 8, 31), Duree(2, "mois")) == date(2026, 6, 30)
    assert minus(date(2025, 12, 31), Duree(2, "mois")) == date(2025, 10, 31)
    assert minus(date(2026, 4, 30), Duree(2, "mois")) == date(2026, 2, 28)
    # Saturday 31 October 2026 → Friday 30; 1 May 2026 (Friday, fête du Travail) → 30 April.
    assert working_day_on_or_before(date(2026, 10, 31), "42") == date(2026, 10, 30)
    assert working_day_on_or_before(date(2026, 5, 1), "86") == date(2026, 4, 30)
    # 26 December is a holiday in Moselle only; 3 April 2026 (Good Friday) too.
    assert working_day_on_or_before(date(2025, 12, 26), "42") == date(2025, 12, 26)
    assert working_day_on_or_before(date(2025, 12, 26), "57") == date(2025, 12, 24)
    assert working_day_on_or_before(date(2026, 4, 3), "67") == date(2026, 4, 2)
    # Overseas: 22 May (abolition de l'esclavage) in Martinique, a Friday in 2026.
    assert working_day_on_or_before(date(2026, 5, 22), "972") == date(2026, 5, 21)
    assert working_day_on_or_before(date(2026, 5, 22), "86") == date(2026, 5, 22)


def test_tacit_renewal_three_times_with_two_months_notice(project: Path) -> None:
    deadlines = all_deadlines([project / "instances/saint-chamond.yaml"], project)
    assert of_kind(deadlines, DeadlineKind.EFFET) == [date(2025, 3, 17)]
    assert of_kind(deadlines, DeadlineKind.TERME) == [
        date(2025, 12, 31),
        date(2026, 12, 31),
        date(2027, 12, 31),
    ]
    assert of_kind(deadlines, DeadlineKind.RECONDUCTION) == [
        date(2026, 1, 1),
        date(2027, 1, 1),
        date(2028, 1, 1),
    ]
    # 31/10/2025 is a Friday; 31/10/2026 a Saturday; 31/10/2027 a Sunday.
    assert of_kind(deadlines, DeadlineKind.DENONCIATION) == [
        date(2025, 10, 31),
        date(2026, 10, 30),
        date(2027, 10, 29),
    ]
    assert of_kind(deadlines, DeadlineKind.FIN_MAXIMALE) == [date(2028, 12, 31)]
    notice = next(d for d in deadlines if d.kind is DeadlineKind.DENONCIATION and d.sequence == 2)
    assert notice.article == "Article 4 – Durée et dénonciation de la convention"
    assert notice.clause == "duree"
    assert notice.note == "ramenée du 31 octobre 2026, jour non ouvré"
    assert "sinon reconduction au 1er janvier 2027" in notice.label
    assert [d.date for d in deadlines] == sorted(d.date for d in deadlines)


def test_holiday_and_alsace_moselle(project: Path) -> None:
    # 31/12/2025 − 6 days = 25/12 (Noël) → 24/12 everywhere.
    noel = variant(
        project, "noel", **{"preavis_denonciation: 2 mois": "preavis_denonciation: 6 jours"}
    )
    # 31/12/2025 − 5 days = Friday 26/12: a working day in the Loire, a holiday in Moselle.
    loire = variant(
        project, "loire", **{"preavis_denonciation: 2 mois": "preavis_denonciation: 5 jours"}
    )
    metz = variant(
        project,
        "metz",
        **{"preavis_denonciation: 2 mois": "preavis_denonciation: 5 jours", "42400": "57000"},
    )
    first = {}
    for path in (noel, loire, metz):
        deadlines = all_deadlines([path], project)
        first[path.stem] = of_kind(deadlines, DeadlineKind.DENONCIATION)[0]
    assert first == {
        "noel": date(2025, 12, 24),
        "loire": date(2025, 12, 26),
        "metz": date(2025, 12, 24),
    }


def test_fixed_term_and_bilans_of_poitiers(project: Path) -> None:
    deadlines = all_deadlines([project / "instances/ccas-poitiers.yaml"], project)
    # Signed 17/04/2025 for two years: until 16/04/2027; five more years by avenant at most.
    assert of_kind(deadlines, DeadlineKind.TERME) == [date(2027, 4, 16)]
    assert of_kind(deadlines, DeadlineKind.FIN_MAXIMALE) == [date(2032, 4, 16)]
    # Bilan within three months of the end of each budget year the convention is in force
    # (2025, 2026 and 2027, which the term of 16/04/2027 falls in).
    assert of_kind(deadlines, DeadlineKind.BILAN) == [
        date(2026, 3, 31),
        date(2027, 3, 31),
        date(2028, 3, 31),
    ]
    ami = of_kind(
        all_deadlines([project / "instances/ami-poitiers.yaml"], project), DeadlineKind.AMI
    )
    assert date(2025, 2, 14) in ami and date(2025, 1, 6) in ami


def test_ics_parsed_back_with_stable_uids_and_alarms(project: Path) -> None:
    paths = [project / "instances/saint-chamond.yaml", project / "instances/ccas-poitiers.yaml"]
    first = Calendar.from_ical(deadlines_ics(all_deadlines(paths, project)))
    second = Calendar.from_ical(deadlines_ics(all_deadlines(paths, project)))
    events = list(first.walk("VEVENT"))
    assert first["VERSION"] == "2.0" and "convgen" in str(first["PRODID"])
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) == len(all_deadlines(paths, project))
    assert uids == [str(e["UID"]) for e in second.walk("VEVENT")]
    for event in events:
        start = event.decoded("DTSTART")
        assert isinstance(start, date)
        assert event.decoded("DTEND") == start + timedelta(days=1)
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1 and alarms[0]["ACTION"] == "DISPLAY"
        assert alarms[0].decoded("TRIGGER") < timedelta(0)
    notice = next(e for e in events if str(e["UID"]) == "saint-chamond.denonciation.2@convgen")
    assert notice.decoded("DTSTART") == date(2026, 10, 30)
    assert "Article 4 – Durée et dénonciation de la convention" in str(notice["DESCRIPTION"])
    assert notice.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(weeks=4)
    # A changed préavis moves the event, under the same UID: re-importing updates it.
    changed = variant(
        project, "saint-chamond", **{"preavis_denonciation: 2 mois": "preavis_denonciation: 3 mois"}
    )
    moved = Calendar.from_ical(deadlines_ics(all_deadlines([changed], project)))
    again = next(
        e for e in moved.walk("VEVENT") if str(e["UID"]) == "saint-chamond.denonciation.2@convgen"
    )
    assert again.decoded("DTSTART") == date(2026, 9, 30)


def test_cli_table_within_csv_and_ics(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["echeances", "instances/saint-chamond.yaml", "--within", "90j", "--from", "2026-09-15"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "30/10/2026  saint-chamond  Dernier jour pour notifier la dénonciation"
    )
    assert lines[-1] == "1 échéance"  # 90 days from 15/09/2026: until 14/12/2026
    result = runner.invoke(
        cli,
        ["echeances", "instances/saint-chamond.yaml", "--within", "4 mois", "--from", "15/09/2026"],
        catch_exceptions=False,
    )
    lines = result.output.splitlines()
    assert lines[1].startswith("31/12/2026  saint-chamond  Terme")
    assert lines[2].startswith("01/01/2027  saint-chamond  Reconduction tacite n° 2 (sur 3)")
    assert lines[-1] == "3 échéances"
    out = project / "echeances.csv"
    result = runner.invoke(
        cli, ["echeances", "--format", "csv", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = raw.decode("utf-8-sig").split("\r\n")
    assert rows[0] == "date;instance;échéance;type;article;clause;remarque;convention"
    assert any(r.startswith("30/10/2026;saint-chamond;") for r in rows)
    result = runner.invoke(cli, ["echeances", "--within", "trois"])
    assert result.exit_code == 2 and "n'est pas une durée" in result.output


def test_register_dates_and_denunciation(project: Path) -> None:
    from convgen.lifecycle.register import EventType, Register
    from convgen.lifecycle.signing import signed_document

    register = Register(project)
    instance = project / "instances/saint-chamond.yaml"
    register.sign(signed_document(instance), date(2025, 3, 17))
    # Notified on 15/11/2026, after the 30/10/2026 limit: the convention is renewed once more
    # and ends on 31/12/2027.
    register.end("saint-chamond", EventType.DENONCIATION, date(2026, 11, 15))
    deadlines = all_deadlines([instance], project)
    assert deadlines[-1].date == date(2027, 12, 31)
    assert deadlines[-1].kind is DeadlineKind.FIN
    assert of_kind(deadlines, DeadlineKind.RECONDUCTION) == [date(2026, 1, 1), date(2027, 1, 1)]
