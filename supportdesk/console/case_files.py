"""Attachments on the agent's case page: upload (public or internal) and download."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supportdesk.cases import services
from supportdesk.console.forms import ATTACH_IDS, AgentAttachmentForm
from supportdesk.console.views import case_or_404, render_case, staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.web.downloads import attachment_response, refusal_status


@staff_only
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case = case_or_404(user, case_id)
    form = AgentAttachmentForm(request.POST, request.FILES, auto_id=ATTACH_IDS)
    status = 400
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                actor=user,
                case_id=case.pk,
                upload=form.cleaned_data["file"],
                public=not form.cleaned_data["internal"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = refusal_status(exc)
        else:
            messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
            return redirect("console:case", case_id=case.pk)
    return render_case(request, user, case, attachment=form, status=status)


@staff_only
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    user = user_of(request)
    return attachment_response(user, case_or_404(user, case_id), attachment_id)
