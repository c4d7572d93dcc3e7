"""Knowledge-base categories on the agent console: listed with how many articles each
holds, added, renamed and deleted. A category still holding articles is not deleted:
the page says so and links its articles, which staff move one by one in the article
editor (the choice of a new home is theirs, not a side effect)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.accounts.permissions import NotFound
from supportdesk.console.answer_forms import CategoryForm
from supportdesk.console.views import staff_only, user_of
from supportdesk.domain.errors import DomainError
from supportdesk.knowledge import selectors, services
from supportdesk.web.reasons import refusal


@staff_only
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    """Every category with its article count, and a form for a new one."""
    user = user_of(request)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.create_category(
                actor=user, name=form.cleaned_data["name"], position=form.cleaned_data["position"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("console:categories")
    context = {
        "categories": list(selectors.categories_with_counts(user)),
        "form": form,
        "nav": "knowledge",
    }
    return render(request, "console/categories.html", context, status=400 if form.errors else 200)


@staff_only
@require_POST
def category_change(request: HttpRequest, category_id: int) -> HttpResponse:
    """Rename (``name``, ``position``) or, with ``delete``, remove an empty category."""
    user = user_of(request)
    try:
        if request.POST.get("delete"):
            services.delete_category(actor=user, category_id=category_id)
            messages.success(request, _("Category deleted."))
        else:
            form = CategoryForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("name: give the category a name (at most 80 characters)"))
                return redirect("console:categories")
            category = services.rename_category(
                actor=user,
                category_id=category_id,
                name=form.cleaned_data["name"],
                position=form.cleaned_data["position"],
            )
            messages.success(request, _("Category renamed “%(name)s”.") % {"name": category.name})
    except (DomainError, NotFound) as exc:
        messages.error(request, refusal(exc))
    return redirect("console:categories")
