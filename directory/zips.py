"""Reading a part of an uploaded zip (an .xlsx workbook, a zipped Shapefile) without trusting its headers.

A zip states each part's size; a zip bomb states a small one and holds gigabytes, and a damaged one holds
less. A part is read in pieces, one byte past its stated size, so either lie is found while reading, and
never past the caller's limit.
"""

from __future__ import annotations

import copy
import lzma
import zipfile
import zlib
from typing import Iterator


class ZipDamaged(ValueError):
    """A part that cannot be read as stated: damaged, the wrong size, encrypted, or an unknown compression."""


class ZipTooLarge(ValueError):
    """A part (or the parts read so far) larger than the caller's limit."""


READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, ValueError, OSError,
               NotImplementedError, RuntimeError)
_PIECE = 1 << 16


def member_chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The part's bytes in pieces; ZipTooLarge past `limit` bytes, ZipDamaged unless it is exactly its stated size."""
    if member.file_size > limit:
        raise ZipTooLarge(member.filename)
    probe = copy.copy(member)
    probe.file_size = member.file_size + 1  # read one byte further than the header says there is
    size = 0
    try:
        with archive.open(probe) as stream:
            while piece := stream.read(_PIECE):
                size += len(piece)
                if size > member.file_size:
                    break
                yield piece
    except READ_ERRORS:
        raise ZipDamaged(member.filename) from None
    if size != member.file_size:
        raise ZipDamaged(member.filename)


def member_bytes(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    return b"".join(member_chunks(archive, member, limit))
