"""Reading an RFC 5322 message: pure functions, no Django, no I/O, no clock.

:func:`parse_message` turns raw bytes into a :class:`ParsedMail`: decoded headers
(RFC 2047 encoded words, any charset), the text body with quoted history trimmed (a
sanitised HTML body when there is no text part), attachments and inline images, the
threading identifiers, the case and page tokens of the subject, and the reason the
message is automatic (an auto-reply, a bounce, a list message) when it is one.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.errors
import email.utils
import html
import re
from dataclasses import dataclass, field
from email.message import Message

import nh3

from supportdesk.domain.mail_headers import header_text, mailbox, raw_header
from supportdesk.domain.mail_parts import MailPart, read_body
from supportdesk.domain.mail_robots import robot_reason

__all__ = ["MailPart", "NotAMessage", "ParsedMail", "parse_message"]

#: ``[SD-000123]`` in a subject names the case a message belongs to.
CASE_TOKEN = re.compile(r"\[(SD-\d{1,12})\]", re.IGNORECASE)
#: ``[PAGE-123]`` in a subject names an on-call page.
PAGE_TOKEN = re.compile(r"\[PAGE-(\d{1,12})\]", re.IGNORECASE)
#: ``[Escalation 12]`` in a subject names an escalation (the escalations app's token).
ESCALATION_TOKEN = re.compile(r"\[Escalation (\d{1,12})\]", re.IGNORECASE)
#: A new message whose subject starts so asks for an escalation (ESC-4 by email).
ESCALATION_REQUEST = re.compile(r"^(escalation\b|escalate\b|please escalate\b)", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)

#: Tags and attributes kept in a sanitised HTML body; everything else is dropped.
SAFE_TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "div", "em", "i", "img", "li", "ol", "p",
        "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}

# Quoted-history markers (the reply is what precedes the first of them).
_QUOTE_HEADERS = (
    # Gmail, Apple Mail, Thunderbird: "On Tue, 10 Mar 2026 at 10:00, Ann <a@b> wrote:"
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE | re.DOTALL),
    # Outlook
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc):\*?\s", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str
    subject: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    date: dt.datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    #: The new text of the message: quoted history and signatures' quotes removed.
    text: str
    #: The whole text body, before trimming.
    full_text: str
    #: The HTML body as it came, unsafe to show (see :attr:`html`).
    html_source: str
    parts: tuple[MailPart, ...] = ()
    #: Why the message is automatic (``auto-submitted: auto-replied``, ...), else "".
    automatic: str = ""
    case_tokens: tuple[str, ...] = field(default=())
    page_ids: tuple[int, ...] = field(default=())
    escalation_ids: tuple[int, ...] = field(default=())
    #: The ``Return-Path`` an MTA recorded (the envelope sender; "" for ``<>``), or
    #: ``None`` when the message carries none.
    return_path: str | None = None
    #: The header the sender was read from: ``From``, else ``Reply-To``, ``Sender`` or
    #: the envelope (``envelope``) when the ones before it were missing or broken.
    sender_header: str = "From"
    #: Why the body was recovered from broken MIME or a broken header block, else "".
    recovered: str = ""

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this message answers, the direct parent first."""
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(mid, None)
        return tuple(seen)

    @property
    def html(self) -> str:
        """The HTML body, sanitised (empty when the message had none). Sanitised when
        asked for: routing reads the text, and most mail never needs this."""
        return sanitise_html(self.html_source) if self.html_source else ""

    @property
    def clean_subject(self) -> str:
        """The subject without ``Re:``/``Fwd:`` prefixes and case tokens."""
        text = CASE_TOKEN.sub("", _SUBJECT_PREFIX.sub("", self.subject))
        return " ".join(text.split()) or "(no subject)"


class NotAMessage(ValueError):
    """The bytes carry no header at all: nothing to route."""


def parse_message(raw: bytes, envelope_sender: str | None = None) -> ParsedMail:
    """Parse one message. Never raises on a malformed body or an unknown charset; a
    header that cannot be decoded is read with replacement characters. Raises
    :class:`NotAMessage` for input with no headers. ``envelope_sender`` (else the
    ``Return-Path``) is the sender of a message whose author headers name no one."""
    if not raw.strip():
        raise NotAMessage("the input is empty")
    # The compat32 policy: headers stay strings until asked for, and only the ones
    # used are decoded here (the header registry of ``email.policy.default`` parses
    # every header it touches into objects: five times the cost of this whole parse;
    # it reads only the author's headers, see ``mailbox``).
    msg = email.message_from_bytes(raw)
    recovered = ""
    if not msg.keys() or _header_block_broken(msg):
        msg, recovered = _without_stray_lines(raw, msg)
    if not msg.keys():
        raise NotAMessage("the input has no mail headers")
    subject = header_text(msg, "Subject")
    return_path = _return_path(msg)
    sender_name, sender, sender_header = _author(
        msg, return_path if envelope_sender is None else envelope_sender
    )
    recipients = tuple(
        addr.lower()
        for _, addr in email.utils.getaddresses(
            [raw_header(msg, name) for name in ("To", "Cc", "Delivered-To")]
        )
        if "@" in addr
    )
    body = read_body(msg)
    text = _richer(body.text, body.html)
    full_text = text.strip()
    return ParsedMail(
        message_id=_first_msgid(header_text(msg, "Message-ID")),
        subject=subject,
        sender=sender,
        sender_name=sender_name,
        recipients=recipients,
        date=_date(header_text(msg, "Date")),
        in_reply_to=tuple(_MSGID.findall(header_text(msg, "In-Reply-To"))),
        references=tuple(_MSGID.findall(header_text(msg, "References"))),
        text=trim_quoted(full_text),
        full_text=full_text,
        html_source=body.html,
        parts=body.parts,
        automatic=robot_reason(msg, sender, subject, header_text),
        case_tokens=tuple(dict.fromkeys(t.upper() for t in CASE_TOKEN.findall(subject))),
        page_ids=tuple(dict.fromkeys(int(p) for p in PAGE_TOKEN.findall(subject))),
        escalation_ids=tuple(dict.fromkeys(int(e) for e in ESCALATION_TOKEN.findall(subject))),
        return_path=return_path,
        sender_header=sender_header,
        recovered=recovered or body.recovered,
    )


def _author(msg: Message, envelope: str | None) -> tuple[str, str, str]:
    """``(name, address, header)`` of who wrote: ``From``, else ``Reply-To``, else
    ``Sender``, else the envelope sender; ``("", "", "")`` when none names anyone."""
    for name in ("From", "Reply-To", "Sender"):
        display, address = mailbox(msg, name)
        if address:
            return display, address, name
    address = (envelope or "").strip().strip("<>").strip().lower()
    return ("", address, "envelope") if "@" in address else ("", "", "")


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def _header_block_broken(msg: Message) -> bool:
    return any(isinstance(d, email.errors.MissingHeaderBodySeparatorDefect) for d in msg.defects)


def _without_stray_lines(raw: bytes, msg: Message) -> tuple[Message, str]:
    """The message parsed again without the stray lines that cut its header block short
    (a line that is neither a header nor a continuation, before or among the headers);
    ``msg`` itself when there were none."""
    head, sep, rest = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.split(b"\n")
    kept = [
        line
        for i, line in enumerate(lines)
        if _HEADER_LINE.match(line)
        or (line[:1] in {b" ", b"\t"} and i > 0)
        or (i == 0 and line.startswith(b"From "))
    ]
    if len(kept) == len(lines) or not kept:
        return msg, ""
    dropped = len(lines) - len(kept)
    fixed = email.message_from_bytes(b"\n".join(kept) + b"\n" + sep + rest)
    return fixed, f"{dropped} stray line(s) in the header block skipped"


_TAG = re.compile(r"<[^>]*>")


def _richer(text: str, html_body: str) -> str:
    """The text of the richer alternative: the text part, unless the HTML part says
    clearly more (a text part that only says "see the HTML version", or cut short)."""
    if not html_body:
        return text
    if not text.strip():
        return html_to_text(html_body)
    words = len(text.split())
    # A cheap upper bound first (tags out, styles and comments still in): most mail
    # sends the same words twice and stops here.
    if len(_TAG.sub(" ", html_body).split()) <= words + max(10, words // 2):
        return text
    from_html = html_to_text(html_body)
    return from_html if len(from_html.split()) > words + max(10, words // 2) else text


def _return_path(msg: Message) -> str | None:
    if "Return-Path" not in msg:
        return None
    return header_text(msg, "Return-Path").strip().strip("<>").strip().lower()


def _first_msgid(value: str) -> str:
    found = _MSGID.findall(value)
    return found[0] if found else ""


def _date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def sanitise_html(body: str) -> str:
    """HTML safe to show to an agent: scripts, styles, handlers and unknown tags gone."""
    return nh3.clean(
        body,
        tags=set(SAFE_TAGS),
        attributes={k: set(v) for k, v in SAFE_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer",
    )


#: Inline images shown in a message's HTML: raster types only (an SVG can carry script).
_INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def html_for_display(mail: ParsedMail) -> str:
    """The sanitised HTML body with its inline images (``cid:`` references to the
    message's own parts) embedded as ``data:`` URLs: the message shows whole without
    anything fetched from anywhere."""
    body = mail.html
    for part in mail.parts:
        if part.content_id and part.content_type in _INLINE_IMAGE_TYPES:
            data = base64.b64encode(part.data).decode("ascii")
            body = body.replace(
                f'src="cid:{html.escape(part.content_id)}"',
                f'src="data:{part.content_type};base64,{data}"',
            )
    return body


_BLOCK_BREAK = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d|/blockquote)\b[^>]*>", re.IGNORECASE)
_BLOCKQUOTE = re.compile(r"<blockquote\b.*?</blockquote>", re.IGNORECASE | re.DOTALL)
_GMAIL_QUOTE = re.compile(r"<div[^>]*class=\"?[^\">]*gmail_quote.*", re.IGNORECASE | re.DOTALL)
_OUTLOOK_DIVIDER = re.compile(
    r"<div[^>]*id=\"?(divRplyFwdMsg|appendonsend)\"?.*", re.IGNORECASE | re.DOTALL
)


def html_to_text(body: str) -> str:
    """Readable text of an HTML body (for a message without a text part)."""
    cleaned = nh3.clean(body, tags={"br", "p", "div", "tr", "li", "blockquote"}, attributes={})
    cleaned = _BLOCK_BREAK.sub("\n", cleaned)
    cleaned = re.sub(r"<[^>]+>", "", cleaned)
    lines = [" ".join(html.unescape(line).split()) for line in cleaned.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def trim_quoted(text: str) -> str:
    """The new part of a reply: everything from the first quoted-history marker on is
    dropped (Gmail "On … wrote:", Outlook "-----Original Message-----" and "From:/Sent:"
    blocks, ``>`` quotes). A message that is *only* a quote keeps its text."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        window = " ".join(lines[i : i + 3]) if line.strip().lower().startswith("on ") else line
        if any(p.match(line) for p in _QUOTE_HEADERS) or (
            line.strip().lower().startswith("on ") and _QUOTE_HEADERS[0].match(window)
        ):
            cut = i
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(x) for x in lines[i + 1 : i + 4]):
            cut = i
            break
        if line.startswith(">") and all(
            not x.strip() or x.startswith(">") for x in lines[i : i + 50]
        ):
            cut = i
            break
    kept = [line for line in lines[:cut] if not line.startswith(">")]
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def reply_subject(reference: str, subject: str) -> str:
    """The subject of a message about a case: its token first, once."""
    bare = " ".join(CASE_TOKEN.sub("", subject).split())
    return f"[{reference}] {bare}".strip()


_FORM_LINE = re.compile(r"^\s*\**([^:\n]{2,80}?)\**\s*:\s*(.*)$")


def _norm(label: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", label.lower()).split())


def form_from_text(text: str, fields: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The answers to a form written as ``Label: value`` lines (ESC-4 by email).

    ``fields`` are ``(key, label)`` pairs; a line matches a field by its label or its
    key (case, punctuation and underscores ignored). A value runs on over the following
    lines until the next field or a blank line. Unknown labels are ignored.
    """
    names: dict[str, str] = {}
    for name, label in fields:
        key = name
        names[_norm(label)] = key
        names[_norm(label.split("(")[0])] = key  # "Requester contact (name, email)"
        names[_norm(key)] = key
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _FORM_LINE.match(line)
        found = names.get(_norm(match.group(1))) if match else None
        if match and found:
            current = found
            out[current] = [match.group(2).strip()]
        elif current and line.strip():
            out[current].append(line.strip())
        else:
            current = None
    return {k: " ".join(v).strip() for k, v in out.items() if " ".join(v).strip()}
