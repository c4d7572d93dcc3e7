"""Answer work on the agent console: macros (write, preview, apply in one click, in
bulk on a tag's cases), tags, and linking a knowledge-base article into a reply.

Every action calls one service of ``answers`` (which applies a macro's steps through
the case services, with their permission checks); a case is reached only through
``access_case`` (a 404 for one the agent may not see).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.accounts.permissions import Forbidden, NotFound
from supportdesk.answers import selectors, services
from supportdesk.answers.models import Macro
from supportdesk.answers.permissions import can_edit_macro
from supportdesk.answers.placeholders import PLACEHOLDERS
from supportdesk.cases.selectors import QUEUE_ORDER
from supportdesk.conf import desk_settings
from supportdesk.console.answer_forms import MacroForm, TagForm
from supportdesk.console.forms import AgentReplyForm
from supportdesk.console.views import case_or_404, staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors as kb
from supportdesk.terms import term
from supportdesk.web.paging import keyset_page
from supportdesk.web.reasons import refusal

PAGE_SIZE = 25


def _staff_choices() -> list[tuple[int, str]]:
    people = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "first_name", "username"
    )
    return [(u.pk, u.display_name) for u in people]


def _macro_or_404(user: User, macro_id: int) -> Macro:
    try:
        return selectors.access_macro(user, macro_id)
    except NotFound:
        raise Http404("macro not found") from None


# Macros.


@staff_only
@require_http_methods(["GET", "POST"])
def macro_list(request: HttpRequest) -> HttpResponse:
    """The agent's macros (own and shared), paged, and a form for a new one."""
    user = user_of(request)
    form = MacroForm(request.POST or None, staff=_staff_choices())
    if request.method == "POST" and form.is_valid():
        try:
            macro = services.create_macro(actor=user, draft=_draft(form))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("console:macros")
    page = keyset_page(
        selectors.macros_for(user), params=request.GET, order=("name", "id"), size=PAGE_SIZE
    )
    context = {"page": page, "form": form, "placeholders": PLACEHOLDERS, "nav": "macros"}
    return render(request, "console/macros.html", context, status=400 if form.errors else 200)


@staff_only
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, macro_id: int) -> HttpResponse:
    user = user_of(request)
    macro = _macro_or_404(user, macro_id)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            services.delete_macro(actor=user, macro_id=macro.pk)
        except Forbidden as exc:
            messages.error(request, refusal(exc))
            return redirect("console:macro", macro_id=macro.pk)
        messages.success(request, _("Macro “%(name)s” removed.") % {"name": macro.name})
        return redirect("console:macros")
    form = MacroForm(request.POST or None, staff=_staff_choices(), initial=_initial(macro))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_macro(actor=user, macro_id=macro.pk, draft=_draft(form))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Macro saved."))
            return redirect("console:macros")
    context = {
        "macro": macro,
        "form": form,
        "may_edit": can_edit_macro(user, macro),
        "placeholders": PLACEHOLDERS,
        "nav": "macros",
    }
    return render(request, "console/macro_edit.html", context, status=400 if form.errors else 200)


def _draft(form: MacroForm) -> services.MacroDraft:
    data = form.cleaned_data
    return services.MacroDraft(
        name=data["name"],
        body=data["body"],
        public=data["public"],
        status=data["status"],
        severity=data["severity"],
        severity_reason=data["severity_reason"],
        assignee_id=data["assignee"],
        tags=form.tag_list(),
        personal=data["personal"],
        region=data["region"],
    )


def _initial(macro: Macro) -> dict[str, Any]:
    return {
        "name": macro.name,
        "body": macro.body,
        "public": macro.public,
        "status": macro.status,
        "severity": macro.severity,
        "severity_reason": macro.severity_reason,
        "assignee": macro.assignee_id,
        "tags": " ".join(macro.tags),
        "personal": macro.owner_id is not None,
        "region": macro.region,
    }


# On a case.


@staff_only
@require_POST
def macro_preview(request: HttpRequest, case_id: int, macro_id: int) -> HttpResponse:
    """The htmx partial: what the macro would write and change on this case."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    macro = _macro_or_404(user, macro_id)
    try:
        preview = services.preview_macro(actor=user, case_id=case.pk, macro_id=macro.pk)
    except DomainError as exc:
        return render(
            request, "console/_macro_preview.html", {"error": exc, "macro": macro}, status=400
        )
    context = {
        "preview": preview,
        "changes": [change_words(c) for c in preview.actions],
        "macro": macro,
        "case": case,
    }
    return render(request, "console/_macro_preview.html", context)


def change_words(change: services.MacroChange) -> str:
    """A macro's change in the reader's language, a status by its name ("Waiting on
    customer"), as the macro list beside it says it."""
    if change.kind == "severity":
        return _("severity → %(severity)s") % {"severity": change.value}
    if change.kind == "status":
        return _("status → %(status)s") % {"status": term(change.value)}
    if change.kind == "assign":
        return _("assign → %(name)s") % {"name": change.value}
    return _("tags + %(tags)s") % {"tags": change.value}


@staff_only
@require_POST
def macro_apply(request: HttpRequest, case_id: int, macro_id: int) -> HttpResponse:
    """One click: the macro's reply and changes on this case, all or nothing."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    macro = _macro_or_404(user, macro_id)
    try:
        done = services.apply_macro(actor=user, case_id=case.pk, macro_id=macro.pk)
    except DomainError as exc:
        messages.error(
            request,
            _("“%(name)s” was not applied: %(reason)s")
            % {"name": macro.name, "reason": refusal(exc)},
        )
    else:
        words = "; ".join(change_words(c) for c in done.actions)
        changes = f" ({words})" if words else ""
        messages.success(
            request, _("Applied “%(name)s”%(changes)s.") % {"name": macro.name, "changes": changes}
        )
    return redirect("console:case", case_id=case.pk)


@staff_only
@require_POST
def case_tag(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a tag (``name``) or, with ``remove``, take one off."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    try:
        if request.POST.get("remove"):
            services.remove_tag(actor=user, case_id=case.pk, name=request.POST["remove"])
        else:
            form = TagForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("give a tag"), field="name")
            services.add_tags(actor=user, case_id=case.pk, names=[form.cleaned_data["name"]])
    except DomainError as exc:
        messages.error(request, refusal(exc))
    return redirect("console:case", case_id=case.pk)


@staff_only
@require_GET
def article_search(request: HttpRequest, case_id: int) -> HttpResponse:
    """The htmx partial of the reply box: articles matching ``q``, each insertable."""
    user = user_of(request)
    case = case_or_404(user, case_id)
    found = kb.search_articles(user, request.GET.get("q", "")[:200], limit=8)
    return render(request, "console/_article_results.html", {"found": found, "case": case})


@staff_only
@require_POST
def reply_with_article(request: HttpRequest, case_id: int, article_id: int) -> HttpResponse:
    """The htmx partial: the reply box with the article's link added at its end (a
    public article's help-centre page; an internal one is named, for a note)."""
    user = user_of(request)
    case_or_404(user, case_id)
    try:
        article = kb.access_article(user, article_id)
    except NotFound:
        raise Http404("article not found") from None
    link = f"{desk_settings.site_url}{reverse('public:help_article', args=[article.slug])}"
    text = request.POST.get("body", "").rstrip()
    line = f"{article.title}: {link}" if article.visibility == "public" else article.title
    form = AgentReplyForm({"body": f"{text}\n\n{line}".lstrip(), "internal": False})
    return render(request, "console/_reply_body.html", {"field": form["body"]})


# Tags and bulk work.


@staff_only
@require_http_methods(["GET", "POST"])
def tagged_cases(request: HttpRequest, name: str) -> HttpResponse:
    """The cases the agent may see that carry the tag, in queue order; applying a macro
    to the ticked ones (each all or nothing; the refusals listed)."""
    user = user_of(request)
    outcomes: list[services.BulkOutcome] = []
    if request.method == "POST":
        try:
            macro_id = int(request.POST.get("macro", ""))
            ids = [int(v) for v in request.POST.getlist("case")]
            outcomes = services.apply_macro_to_cases(actor=user, case_ids=ids, macro_id=macro_id)
        except ValueError:
            messages.error(request, _("Choose a macro and at least one case."))
        except DomainError as exc:
            messages.error(request, refusal(exc))
        else:
            applied = sum(o.applied for o in outcomes)
            messages.success(
                request,
                _("Applied to %(applied)d of %(total)d cases.")
                % {"applied": applied, "total": len(outcomes)},
            )
    page = keyset_page(
        selectors.cases_tagged(user, name).select_related("organization"),
        params=request.GET,
        order=QUEUE_ORDER,
        size=PAGE_SIZE,
    )
    context = {
        "tag": name,
        "page": page,
        "macros": list(selectors.macros_for(user)),
        "outcomes": [o for o in outcomes if not o.applied],
        "nav": "queue",
    }
    return render(request, "console/tagged_cases.html", context)
