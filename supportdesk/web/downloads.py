"""Case attachments for both sites: the download response for a file the viewer may
see, and the HTTP status of a refused upload."""

from __future__ import annotations

from django.http import FileResponse, Http404

from supportdesk.accounts.models import User
from supportdesk.cases import selectors
from supportdesk.cases.models import Case
from supportdesk.cases.services import AttachmentTooLarge, UnsupportedMediaType
from supportdesk.domain.errors import DomainError


def attachment_response(viewer: User, case: Case, attachment_id: int) -> FileResponse:
    """The attachment as a download (never shown inline, so an uploaded HTML or SVG file
    cannot run in the site's origin); 404 for one the viewer may not see."""
    attachment = selectors.case_attachments(viewer, case).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("attachment not found")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("attachment file is missing") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


def refusal_status(exc: DomainError) -> int:
    """The status a page answers a refused upload with, as the API does: 413 for a file
    over the limit, 415 for a type not accepted, 400 otherwise."""
    if isinstance(exc, AttachmentTooLarge):
        return 413
    if isinstance(exc, UnsupportedMediaType):
        return 415
    return 400
