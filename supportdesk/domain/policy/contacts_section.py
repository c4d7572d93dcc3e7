"""The ``contacts`` section of a policy file: how a customer reaches support besides
the portal (seed 000's phone numbers, emergency line and address; seed 001's account
and customer-success managers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from supportdesk.domain.policy.model import ContactPerson, Contacts, PhoneLine
from supportdesk.domain.policy.reader import Reader

#: Digits with the usual separators; at least seven digits (a local number), at most 15
#: (E.164's longest).
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_contacts(r: Reader, top: Mapping[str, Any]) -> Contacts:
    """The section as written; no contacts where it is absent."""
    section = r.get(top, "contacts", "", dict, default=None)
    if section is None:
        return Contacts()
    p = "contacts"
    r.unknown_keys(section, {"email", "phones", "emergency_line", "people", "more_attention"}, p)
    email = _text(r, section, "email", p)
    if email and not _EMAIL.match(email):
        r.fail(f"{p}.email", f"{email!r} is not an email address")
    phones = []
    for path, raw in r.items(section, "phones", p, required=False):
        phone = _phone(r, raw, path)
        if phone is not None:
            phones.append(phone)
    emergency = section.get("emergency_line")
    people = []
    for path, raw in r.items(section, "people", p, required=False):
        item = r.mapping(raw, path)
        if item is None:
            continue
        r.unknown_keys(item, {"role", "about"}, path)
        role = _text(r, item, "role", path, required=True)
        if role:
            people.append(ContactPerson(role=role, about=_text(r, item, "about", path)))
    return Contacts(
        email=email,
        phones=tuple(phones),
        emergency_line=_phone(r, emergency, f"{p}.emergency_line") if emergency else None,
        people=tuple(people),
        more_attention=_text(r, section, "more_attention", p),
    )


def _phone(r: Reader, raw: Any, path: str) -> PhoneLine | None:
    item = r.mapping(raw, path)
    if item is None:
        return None
    r.unknown_keys(item, {"label", "number", "when"}, path)
    label = _text(r, item, "label", path, required=True)
    number = _text(r, item, "number", path, required=True)
    digits = sum(c.isdigit() for c in number)
    if number and (not _PHONE.match(number) or not 7 <= digits <= 15):
        r.fail(f"{path}.number", f"{number!r} is not a phone number (7 to 15 digits)")
        return None
    if not (label and number):
        return None
    return PhoneLine(label=label, number=number, when=_text(r, item, "when", path))


def _text(
    r: Reader, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
) -> str:
    value = r.get(data, key, path, (str, int), default=None)
    text = str(value).strip() if value is not None else ""
    if required and not text:
        r.fail(f"{path}.{key}", "is required")
    return text
