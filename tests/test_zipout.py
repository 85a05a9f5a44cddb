"""convgen's zip writer (`convgen.render.zipout`) read back by the standard library's `zipfile`."""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib

import pytest

from convgen.render.zipout import DOCUMENT_LEVEL, LEVEL, Member, write_zip

SIZES = [0, 1, 100, 511, 512, 513, 2047, 2048, 16383, 16384, 16385, 32767, 32768, 32769, 200_000]


def _xml(size: int, seed: int) -> bytes:
    """XML-like text of `size` bytes (repetitive, as the parts of a .docx are)."""
    rng = random.Random(seed)
    words = ["<w:p>", "<w:r>", "<w:t>", "commune", "Saint-Chamond", "« convention »", "</w:t>"]
    text = "".join(rng.choice(words) for _ in range(size // 4 + 1)).encode("utf-8")
    return text[:size]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("level", [DOCUMENT_LEVEL, LEVEL])
def test_every_size_reads_back_identical(size: int, level: int) -> None:
    """Whatever window and hash size the writer picks for a part, zipfile reads it back
    byte for byte, with the right CRC (testzip) and sizes."""
    parts = {
        "word/document.xml": _xml(size, 1),
        "random.bin": os.urandom(size),  # incompressible: deflate must still be valid
        "docProps/core.xml": _xml(size // 3, 2),
    }
    data = write_zip([Member.static(name, body, level) for name, body in parts.items()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == list(parts)
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.file_size == len(parts[info.filename])
            assert archive.read(info) == parts[info.filename]


@pytest.mark.parametrize("size", [300, 1500, 9000, 34_000])
def test_small_windows_compress_as_well_as_zipfile(size: int) -> None:
    """The smaller window used for small parts costs at most a few bytes against the full
    window zipfile uses at the same level."""
    body = _xml(size, 3)
    ours = Member.static("part.xml", body, DOCUMENT_LEVEL)
    full = zlib.compressobj(DOCUMENT_LEVEL, zlib.DEFLATED, -15)
    reference = full.compress(body) + full.flush()
    assert len(ours.deflated) <= len(reference) * 1.02 + 8
    assert zlib.decompress(ours.deflated, -15) == body
    assert ours.crc == zlib.crc32(body) and ours.size == size


def test_names_outside_ascii_are_flagged_utf8() -> None:
    members = [Member.static("pièces/annexe é.xml", b"<a/>"), Member.static("plain.xml", b"<b/>")]
    with zipfile.ZipFile(io.BytesIO(write_zip(members))) as archive:
        first, second = archive.infolist()
        assert first.filename == "pièces/annexe é.xml" and first.flag_bits & 0x800
        assert second.filename == "plain.xml" and not second.flag_bits & 0x800
        assert archive.read("pièces/annexe é.xml") == b"<a/>"


def test_empty_archive_is_a_valid_zip() -> None:
    with zipfile.ZipFile(io.BytesIO(write_zip([]))) as archive:
        assert archive.namelist() == []


def test_a_member_reused_in_many_archives_stays_valid() -> None:
    """Static members are deflated once per frame and put in every document."""
    shared = Member.static("word/styles.xml", _xml(50_000, 4))
    for seed in range(3):
        own = Member.static("word/document.xml", _xml(5_000, seed), DOCUMENT_LEVEL)
        with zipfile.ZipFile(io.BytesIO(write_zip([own, shared]))) as archive:
            assert archive.testzip() is None
            assert archive.read("word/styles.xml") == _xml(50_000, 4)
            assert archive.read("word/document.xml") == _xml(5_000, seed)
