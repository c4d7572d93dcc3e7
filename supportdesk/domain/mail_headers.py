"""Reading mail headers: RFC 2047 encoded words and mislabelled charsets, decoded
without ever raising (pure; used by :mod:`supportdesk.domain.mail`)."""

from __future__ import annotations

import email.errors
import email.header
from email.message import Message


def raw_header(msg: Message, name: str) -> str:
    """A header's value as sent (encoded words left as they are), or ""."""
    value = msg.get(name)
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # raw 8-bit bytes in the header
        return decode_words(value)
    return str(value)


def header_text(msg: Message, name: str) -> str:
    """A header's value with RFC 2047 encoded words decoded and whitespace folded, or
    ""; a header in a wrong or unknown charset decodes with replacement characters
    instead of failing."""
    value = msg.get(name)
    if value is None:
        return ""
    return " ".join(decode_words(value).split())


def decode_words(value: str | email.header.Header) -> str:
    """RFC 2047 encoded words (and raw 8-bit header bytes, read as UTF-8 or else
    Windows-1252) decoded to text; never raises."""
    if isinstance(value, str) and "=?" not in value:
        return value
    try:
        chunks = email.header.decode_header(value)
    except (email.errors.HeaderParseError, ValueError):
        return str(value)
    # decode_header keeps the plain text's own spaces and drops those between
    # adjacent encoded words (RFC 2047 §6.2).
    return "".join(
        data
        if isinstance(data, str)
        else decode_bytes(data, None if charset == "unknown-8bit" else charset)
        for data, charset in chunks
    )


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` in ``charset``, else UTF-8, else Windows-1252 (the usual truth behind a
    wrong label), else UTF-8 with replacement characters: never raises."""
    for candidate in (charset, "utf-8", "windows-1252"):
        if candidate is None:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")
