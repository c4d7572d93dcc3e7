"""A case's mail on the agent's console: what it received and what was sent about it,
and one received message as it came (headers, text, the HTML body sanitised and shown
in a sandbox that loads nothing from outside, its parts, the original to download);
a forwarded message kept as an ``.eml`` attachment reads the same way."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk.cases import selectors as case_selectors
from supportdesk.cases.models import Attachment, Case
from supportdesk.console.views import PAGE_SIZE, case_or_404, staff_only, user_of
from supportdesk.domain.mail import NotAMessage, ParsedMail, html_for_display, parse_message
from supportdesk.intake import selectors
from supportdesk.intake.models import InboundMessage
from supportdesk.web.paging import keyset_page

#: The policy of the document the HTML body is shown in (an ``<iframe sandbox>``: no
#: scripts, forms or same-origin access): nothing is fetched from outside, so opening a
#: message tells no tracking pixel it was read; the message's own inline images, which
#: ``html_for_display`` embeds, still show.
SANDBOX_POLICY = "default-src 'none'; img-src data:"


@staff_only
def case_mail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's received mail (``?box=sent``: its sent mail), newest first, paged."""
    case = case_or_404(user_of(request), case_id)
    sent = request.GET.get("box") == "sent"
    page = (
        keyset_page(
            selectors.case_sent_mail(case.pk),
            params=request.GET,
            order=selectors.SENT_ORDER,
            size=PAGE_SIZE,
        )
        if sent
        else keyset_page(
            selectors.case_received_mail(case.pk),
            params=request.GET,
            order=selectors.MAIL_ORDER,
            size=PAGE_SIZE,
        )
    )
    context = {
        "case": case,
        "box": "sent" if sent else "received",
        "page": page,
        "received_count": selectors.case_received_mail(case.pk).count(),
        "sent_count": selectors.case_sent_mail(case.pk).count(),
    }
    return render(request, "console/case_mail.html", context)


def _message_or_404(case: Case, message_id: int) -> InboundMessage:
    message = selectors.case_message(case.pk, message_id)
    if message is None:
        raise Http404("no such message on this case")
    return message


@staff_only
def mail_message(request: HttpRequest, case_id: int, message_id: int) -> HttpResponse:
    """One received message: headers, text, parts, and its HTML in a sandboxed frame."""
    case = case_or_404(user_of(request), case_id)
    message = _message_or_404(case, message_id)
    mail = parse_message(bytes(message.raw), message.envelope_sender or None)
    return _render_mail(request, case, mail, message=message)


@staff_only
def attached_message(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    """A forwarded or attached message (an ``.eml`` attachment of the case) read like
    received mail: headers, text, its own attachments, its HTML in the sandbox."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    attachment = (
        case_selectors.case_attachments(user, case)
        .filter(pk=attachment_id, content_type="message/rfc822")
        .first()
    )
    if attachment is None:
        raise Http404("no such attached message on this case")
    try:
        with attachment.file.open("rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise Http404("attachment file is missing") from None
    try:
        mail = parse_message(raw)
    except NotAMessage:
        raise Http404("the attachment is not a mail message") from None
    return _render_mail(request, case, mail, message=None, attachment=attachment)


def _render_mail(
    request: HttpRequest,
    case: Case,
    mail: ParsedMail,
    *,
    message: InboundMessage | None,
    attachment: Attachment | None = None,
) -> HttpResponse:
    html = html_for_display(mail)
    document = f'<meta http-equiv="Content-Security-Policy" content="{SANDBOX_POLICY}">{html}'
    context = {
        "case": case,
        "message": message,
        "attachment": attachment,
        "mail": mail,
        "html_document": document if html else "",
    }
    return render(request, "console/mail_message.html", context)


@staff_only
def mail_original(request: HttpRequest, case_id: int, message_id: int) -> HttpResponse:
    """The message exactly as received, as an ``.eml`` file for a mail client."""
    case = case_or_404(user_of(request), case_id)
    message = _message_or_404(case, message_id)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    name = f"{case.reference}-mail-{message.pk}.eml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
