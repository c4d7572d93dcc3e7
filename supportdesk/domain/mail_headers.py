"""Reading mail headers: RFC 2047 encoded words and mislabelled charsets, decoded
without ever raising (pure; used by :mod:`supportdesk.domain.mail`)."""

from __future__ import annotations

import email.errors
import email.header
import email.policy
import hashlib
import re
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
    """``data`` in ``charset``, else UTF-8, else the charset detected from the bytes
    (raw KOI8-R or GB2312 sent without a label), else Windows-1252 (the usual truth behind
    a wrong label), else UTF-8 with replacement characters: never raises. A label of
    plain ASCII on 8-bit bytes is no label at all."""
    label = _CHARSET_ALIASES.get((charset or "").lower(), charset)
    if label and label.lower() not in _ASCII:
        try:
            return data.decode(label)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    detected = detect_charset(data)
    for candidate in (detected, "windows-1252"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("utf-8", errors="replace")


#: Labels that say "7-bit": on 8-bit bytes they are wrong, and detection decides.
_ASCII = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "unknown-8bit", "x-unknown"})
#: Labels mail clients send that Python's codecs do not know.
_CHARSET_ALIASES = {
    "x-mac-roman": "mac_roman",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-sjis": "shift_jis",
    "x-gbk": "gbk",
    "x-unicode-2-0-utf-7": "utf-7",
    "gb2312": "gb18030",  # the superset: GB2312 labels routinely carry GBK characters
}
#: The charsets detection chooses among, most used first: short texts often decode
#: equally well in several, and the tie goes to the one real mail uses most.
_DETECTABLE = (
    "cp1252", "koi8_r", "cp1251", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr",
    "cp1250", "koi8_u", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp874",
    "iso8859_2", "iso8859_7",
)  # fmt: skip


def detect_charset(data: bytes) -> str | None:
    """The most likely charset of undeclared 8-bit text (charset-normalizer over the
    charsets mail is written in), or None when nothing fits."""
    # Imported when needed: most mail declares its charset, and the mail pipe starts
    # a process per message.
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data, cp_isolation=list(_DETECTABLE)))
    if not matches:
        return None
    best = min((m.chaos, -m.coherence) for m in matches)
    # A match lists every charset that decodes the bytes to the same text.
    tied = [e for m in matches if (m.chaos, -m.coherence) == best for e in m.could_be_from_charset]
    return min(tied, key=lambda e: _DETECTABLE.index(e) if e in _DETECTABLE else len(_DETECTABLE))


#: Parses one address header as ``email.policy.default`` does (RFC 5322 with RFC 2047
#: encoded words decoded after the address is split, so a comma inside an encoded
#: display name stays in the name). About 90 µs a header: only the author's headers
#: are read this way, the rest of a message keeps the faster legacy parser.
_address_factory = email.policy.default.header_factory


def unescape_8bit(value: str) -> str:
    """Text of a header or parameter that carried raw 8-bit bytes (the legacy parser
    keeps them as surrogate escapes), decoded as :func:`decode_bytes` does."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


#: A mailbox so plain that every parser reads it alike: an atom-only display name
#: (letters, digits, spaces, dots) and an address of ordinary characters, or a bare
#: address. Most mail's From is one; it skips the header registry's ~90 µs.
_PLAIN_MAILBOX = re.compile(
    r"\s*(?:([A-Za-z0-9 .'_-]*?)\s*<([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)>"
    r"|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+))\s*"
)


def mailbox(msg: Message, name: str) -> tuple[str, str]:
    """``(display name, address)`` of the first well-formed mailbox of the address
    header ``name`` (``From``, ``Reply-To``, ``Sender``), the address lower-cased;
    ``("", "")`` when the header is missing or names no usable address."""
    value = msg.get(name)
    if value is None:
        return "", ""
    text = decode_words(value) if isinstance(value, email.header.Header) else str(value)
    plain = _PLAIN_MAILBOX.fullmatch(text)
    if plain is not None:
        display, address = (plain.group(1) or "").strip(), plain.group(2) or plain.group(3)
        return display, address.lower()
    text = unescape_8bit(text)
    if not text.strip():
        return "", ""
    try:
        parsed = _address_factory(name, text)
        addresses = getattr(parsed, "addresses", ())
    except (email.errors.HeaderParseError, ValueError, IndexError, TypeError, AttributeError):
        return "", ""
    for address in addresses:
        if address.username and address.domain:
            return str(address.display_name).strip(), str(address.addr_spec).lower()
    return "", ""


#: Headers each hop of a delivery adds or rewrites: a redelivered message differs from
#: its first delivery in these only.
TRACE_HEADERS = (b"received", b"return-path", b"delivered-to", b"x-original-to")


def content_digest(raw: bytes) -> str:
    """SHA-256 (hex) of a message without its trace headers and with its line ends made
    LF: equal for two deliveries of one message, different for two messages that share
    a Message-ID (broken clients reuse them)."""
    data = raw.replace(b"\r\n", b"\n")
    head, sep, body = data.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):  # a folded header continues the one above it
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower() in TRACE_HEADERS
        if not skipping:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + sep + body).hexdigest()
