"""Shared fixtures: the seed documents as .docx and PDF (converted once per session)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.seeds import SEED_FILES, seed_to_docx


@pytest.fixture(scope="session")
def seed_docx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every seed as `<id>.docx` in one directory."""
    out = tmp_path_factory.mktemp("seed-docx")
    for seed_id in SEED_FILES:
        seed_to_docx(seed_id, out / f"{seed_id}.docx")
    return out


@pytest.fixture(scope="session")
def seed_pdf_dir(seed_docx_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every seed as `<id>.pdf`, made by LibreOffice from the .docx (one soffice process)."""
    from convgen.render.libreoffice import convert_to_pdf

    assert shutil.which("soffice"), "LibreOffice (soffice) doit être installé (voir .ci/run)"
    out = tmp_path_factory.mktemp("seed-pdf")
    convert_to_pdf(sorted(seed_docx_dir.glob("*.docx")), out)
    return out
