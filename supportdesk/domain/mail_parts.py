"""A message's body and parts: the text and HTML alternatives, attachments and inline
images, attached messages kept whole, and text recovered from broken MIME (pure; used
by :mod:`supportdesk.domain.mail`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

from supportdesk.domain.mail_headers import decode_bytes, decode_words, header_text, unescape_8bit

#: Labels that are usually Windows-1252 in practice (its superset of the printable range).
_LATIN1_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1"})
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
#: Parts that are machine reports, not content (a bounce's status block).
_SKIPPED = frozenset({"message/delivery-status", "message/disposition-notification"})
_BOUNDARY_LINE = re.compile(rb"^--[^\s]{1,200}\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class MailPart:
    """An attachment or inline image, decoded from its transfer encoding (an attached
    message is kept whole, as ``message/rfc822`` bytes: an ``.eml`` file)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True, slots=True)
class Body:
    text: str
    html: str
    parts: tuple[MailPart, ...]
    #: Why the text was recovered from the raw body (broken MIME), else "".
    recovered: str = ""


def read_body(msg: Message) -> Body:
    """The text and HTML bodies and the parts of ``msg``. A message whose MIME is broken
    (a multipart without its boundary or without parts, a body nothing could read)
    keeps its raw text as the body, with the reason it was recovered."""
    texts: list[str] = []
    htmls: list[str] = []
    parts: list[MailPart] = []
    recovered = ""
    for part in _leaves(msg):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            parts.append(_attached_message(part))
            continue
        if ctype.startswith("multipart/"):
            # The parser found none of its parts: the boundary is missing or wrong.
            texts.append(_raw_text(part))
            recovered = f"{ctype} without parts: the raw text is the body"
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = part_filename(part)
        if disposition != "attachment" and not filename and ctype in {"text/plain", "text/html"}:
            (texts if ctype == "text/plain" else htmls).append(decode_text(part))
            continue
        if ctype not in _SKIPPED:
            found = _attachment(part, ctype, disposition, filename)
            if found is not None:
                parts.append(found)
    text = "\n\n".join(t for t in texts if t.strip())
    html = "\n".join(htmls)
    if not text.strip() and not html.strip() and not parts:
        raw = _raw_text(msg)
        if raw.strip() and not msg.is_multipart():
            text, recovered = raw, "no readable part: the raw text is the body"
    return Body(text, html, tuple(parts), recovered)


def _leaves(part: Message) -> Iterator[Message]:
    """The parts to read, depth first; an attached message is one leaf (its own
    attachments stay inside it)."""
    payload = part.get_payload()
    if part.get_content_type() == "message/rfc822" or not isinstance(payload, list):
        yield part
        return
    for sub in payload:
        if isinstance(sub, Message):
            yield from _leaves(sub)


def decode_text(part: Message) -> str:
    """A text part decoded from its transfer encoding and charset (a missing or
    ASCII label on 8-bit bytes is detected), with CRLF line ends made LF."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    if charset in _LATIN1_LABELS:
        # Mislabelled mail is common: "iso-8859-1" is usually windows-1252 in practice.
        charset = "windows-1252"
    return _lf(decode_bytes(payload, charset))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _raw_text(part: Message) -> str:
    """The undecoded body of a part the parser could not split, as text; boundary lines
    left by a broken multipart are dropped."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _lf(decode_bytes(_BOUNDARY_LINE.sub(b"", payload), part.get_content_charset())).strip()


def part_filename(part: Message) -> str:
    """The part's file name: RFC 2231 parameters, RFC 2047 encoded words and raw 8-bit
    names decoded ("" when it has none)."""
    try:
        name = _with_8bit_headers(part).get_filename() or ""
    except (LookupError, ValueError):
        name = ""
    return " ".join(decode_words(name).split())


def _with_8bit_headers(part: Message) -> Message:
    """``part``, or, when its Content-Disposition or Content-Type carries raw 8-bit
    bytes (which the legacy parser would read back as replacement characters), a copy
    of those two headers decoded as text."""
    raw = [
        (name, value)
        for name, value in part.raw_items()
        if name.lower() in {"content-disposition", "content-type"}
    ]
    if not any(unescape_8bit(value) != value for _, value in raw):
        return part
    decoded = Message()
    for name, value in raw:
        decoded[name] = unescape_8bit(value)
    return decoded


def _attached_message(part: Message) -> MailPart:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    data = inner.as_bytes() if isinstance(inner, Message) else b""
    name = part_filename(part)
    if not name:
        subject = header_text(inner, "Subject") if isinstance(inner, Message) else ""
        name = _safe_name(subject) or "message"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return MailPart(filename=name, content_type="message/rfc822", data=data)


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w .,()+-]+", "_", text).strip(" ._")[:120]


def _attachment(part: Message, ctype: str, disposition: str, filename: str) -> MailPart | None:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return None
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    return MailPart(
        filename=filename or f"{content_id or 'part'}{_EXTENSIONS.get(ctype, '')}",
        content_type=ctype,
        data=data,
        inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        content_id=content_id,
    )
