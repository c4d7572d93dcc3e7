"""The admin reads Swedish: the apps', the models' and the fields' names are translated."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from supportdesk.accounts.models import Role
from tests.factories import make_user
from tests.web.conftest import client_for


def _ours() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("supportdesk.")]


def test_every_model_app_and_field_of_ours_is_named_through_gettext_lazy() -> None:
    # A lazy text is looked up in the reader's language when shown; the catalogue
    # completeness test then holds each of them to a Swedish translation.
    plain = []
    for model in _ours():
        meta = model._meta
        named = {
            f"{meta.label} (name)": meta.verbose_name,
            f"{meta.label} (plural)": meta.verbose_name_plural,
            f"{meta.app_label} (app)": meta.app_config.verbose_name,
        }
        for field in meta.concrete_fields:
            if field.model is model and field.name != "id":
                named[f"{meta.label}.{field.name}"] = field.verbose_name
        plain += [where for where, name in named.items() if not isinstance(name, Promise)]
    assert plain == []
    with translation.override("sv"):
        from supportdesk.cases.models import Case

        assert str(Case._meta.verbose_name_plural) == "ärenden"
        assert str(Case._meta.get_field("title").verbose_name) == "rubrik"


@pytest.mark.django_db
def test_the_admin_shows_its_apps_models_and_columns_in_swedish(db: None) -> None:
    admin = make_user(role=Role.ADMIN, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = client_for(admin)
    index = c.get("/admin/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Webbplatsadministration" in index  # Django's own words
    for name in (
        "Ärenden",
        "Eskaleringar",
        "SLA-klockor",
        "Arbetstider",
        "Jourscheman och jourlarm",
    ):
        assert name in index, name
    assert "Working hours" not in index and ">Cases<" not in index
    form = c.get("/admin/knowledge/article/add/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    for label in ("Kortnamn", "Rubrik", "Synlighet", "Kategori", "Granskad av"):
        assert f">{label}:<" in form, label
