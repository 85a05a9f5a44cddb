"""Shared fixtures: the seed documents as .docx and PDF (converted once per session)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.seeds import SEED_FILES, seed_to_docx


@pytest.fixture(scope="session", autouse=True)
def private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """What convgen remembers between runs (layouts measured, `pipeline.user_cache_dir`) is
    kept in a folder of the session, never in the home of whoever runs the tests."""
    folder = tmp_path_factory.mktemp("cache-utilisateur")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


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
