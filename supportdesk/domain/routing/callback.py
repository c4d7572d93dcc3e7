"""After-hours callback numbers (INT-2): validated and normalised to E.164."""

from __future__ import annotations

import phonenumbers

from supportdesk.domain.errors import DomainError


def validate_callback_number(raw: str, default_region: str | None = None) -> str:
    """The callback number in E.164 (``+18022532905``), or :class:`DomainError`.

    ``default_region`` is an ISO 3166 country code (``"US"``, ``"SE"``) used when
    ``raw`` has no ``+`` country prefix; without it such a number is refused. The error
    has ``field="callback_number"`` and says why.
    """
    text = (raw or "").strip()
    if not text:
        raise DomainError(
            "an after-hours emergency must leave a callback number (INT-2)",
            field="callback_number",
        )
    region = default_region.upper() if default_region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise DomainError(
            f"{default_region!r} is not a country code phone numbers know",
            field="callback_number",
        )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reasons = {
            phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
                "has no valid country code; start it with + and the country code"
            ),
            phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
            phonenumbers.NumberParseException.TOO_LONG: "is too long",
        }
        reason = reasons.get(exc.error_type, "cannot be read as a phone number")
        raise DomainError(f"{text!r} {reason}", field="callback_number") from exc
    if not phonenumbers.is_valid_number(number):
        raise DomainError(
            f"{text!r} is not a valid number for its country "
            f"(+{number.country_code}); check the digits",
            field="callback_number",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_callback_number(text: str, default_region: str | None = None) -> str | None:
    """The first valid phone number written in ``text`` (a message's body), in E.164;
    ``None`` when there is none. ``default_region`` reads numbers without a ``+``
    country prefix, as in :func:`validate_callback_number` (without it, only
    international numbers are found)."""
    region = default_region.upper() if default_region else None
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None
