"""What a file is, from its content (pure; no I/O).

Mail clients declare ``application/octet-stream`` for PDFs and spreadsheets, write
``image/jpg`` or ``application/x-zip-compressed``, or name a program ``invoice.pdf``:
the declared type decides nothing on its own. The bytes are sniffed (the pure-Python
``filetype`` library: magic numbers, Office documents told apart inside their zip);
a file without a binary signature is text when its bytes read as text, and its
extension (else its declared type) says which text. Aliases map to one name, so
``CASE_ATTACHMENT_TYPES`` lists each type once.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import filetype

#: Names clients use for a type, mapped to the one the allow-list uses.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    "application/zip-compressed": "application/zip",
    "application/x-pdf": "application/pdf",
    "text/comma-separated-values": "text/csv",
    "application/csv": "text/csv",
    "text/x-csv": "text/csv",
    "text/json": "application/json",
    "application/x-json": "application/json",
    "text/x-log": "text/plain",
}
#: Text types by extension (text has no magic number to sniff).
TEXT_BY_EXTENSION = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".text": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".eml": "message/rfc822",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
}
#: Types of text content (a declared one of these is believed when the bytes are text).
_TEXT_TYPES = frozenset({*TEXT_BY_EXTENSION.values(), "text/plain"})
UNKNOWN = "application/octet-stream"
#: The bytes the sniffer and the text check read.
_HEAD = 8192


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    #: How it was decided: "content", "text content and extension", "declared", ...
    basis: str


#: What a person calls a type: the accepted-files line and the file list say "PDF" or
#: "email message", never ``message/rfc822``.
PLAIN_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "text/plain": "text",
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/zip": "ZIP",
    "message/rfc822": "email message",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "video/mp4": "MP4 video",
    "video/quicktime": "QuickTime video",
    UNKNOWN: "file",
}


def plain_name(content_type: str) -> str:
    """``PDF`` for ``application/pdf``; an unlisted type by its subtype in capitals."""
    kind = canonical(content_type)
    return PLAIN_NAMES.get(kind) or kind.rpartition("/")[2].removeprefix("x-").upper()


def canonical(content_type: str) -> str:
    """``content_type`` without parameters, lower-cased, its alias resolved."""
    bare = content_type.split(";")[0].strip().lower()
    return ALIASES.get(bare, bare)


def file_type(filename: str, declared: str, data: bytes) -> FileType:
    """The type of ``data``: its signature when it has one (whatever the name or the
    declaration say), else, for text, the text type its extension or declaration
    names; binary content without a known signature is ``application/octet-stream``."""
    sniffed = filetype.guess_mime(data[:_HEAD])
    if sniffed:
        return FileType(canonical(sniffed), "content")
    if not _is_text(data[:_HEAD]):
        return FileType(UNKNOWN, "content (no known signature)")
    extension = posixpath.splitext(filename.lower())[1]
    if extension in TEXT_BY_EXTENSION:
        return FileType(TEXT_BY_EXTENSION[extension], "text content and extension")
    stated = canonical(declared)
    if stated in _TEXT_TYPES or stated.startswith("text/"):
        return FileType(stated, "text content and declared type")
    return FileType("text/plain", "text content")


def _is_text(head: bytes) -> bool:
    """No NUL and few control bytes: text in some 8-bit or UTF-8 charset."""
    if not head:
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls * 100 <= len(head)
