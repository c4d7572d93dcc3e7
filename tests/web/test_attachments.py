"""Attachments on the case pages: upload, refusals next to the field, list and download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from supportdesk.cases.models import Attachment, Case
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _file(name: str = "log.txt", content: bytes = b"ERROR 500", kind: str = "text/plain") -> Any:
    return SimpleUploadedFile(name, content, content_type=kind)


def test_a_customer_attaches_a_file_and_downloads_it(
    customer_client: Client, sev2_case: Case
) -> None:
    url = f"/portal/cases/{sev2_case.pk}/"
    page = customer_client.post(f"{url}attachments", {"file": _file()})
    assert page.status_code == 302
    attachment = Attachment.objects.get(case=sev2_case)
    assert attachment.public and attachment.name == "log.txt"
    html = customer_client.get(url).content.decode()
    link = f'href="/portal/cases/{sev2_case.pk}/attachments/{attachment.pk}"'
    assert link in html and 'enctype="multipart/form-data"' in html
    download = customer_client.get(f"{url}attachments/{attachment.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"ERROR 500"  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")


@override_settings(CASE_ATTACHMENT_MAX_BYTES=1024)
def test_a_too_large_file_is_refused_next_to_the_field(
    customer_client: Client, sev2_case: Case
) -> None:
    page = customer_client.post(
        f"/portal/cases/{sev2_case.pk}/attachments", {"file": _file(content=b"x" * 2048)}
    )
    assert page.status_code == 413  # as the API answers, and the README says
    html = page.content.decode()
    assert 'id="id_file_error"' in html and "the limit is 1024 bytes" in html
    assert 'aria-invalid="true"' in html
    assert not Attachment.objects.exists()


def test_a_type_not_accepted_is_refused_next_to_the_field(
    agent_client: Client, sev2_case: Case
) -> None:
    page = agent_client.post(
        f"/console/cases/{sev2_case.pk}/attachments",
        {"file": _file("run.exe", b"MZ", "application/x-msdownload")},
    )
    assert page.status_code == 415
    html = page.content.decode()
    assert 'id="attach_file_error"' in html and "is not accepted" in html
    assert not Attachment.objects.exists()


def test_a_type_not_accepted_is_named_as_the_accepted_types_are_listed(
    customer_client: Client, sev2_case: Case
) -> None:
    page = customer_client.post(
        f"/portal/cases/{sev2_case.pk}/attachments",
        {"file": _file("run.exe", b"MZ", "application/x-msdownload")},
    )
    assert page.status_code == 415
    html = page.content.decode()
    assert "run.exe: this type of file is not accepted; accepted: PDF, PNG, JPEG" in html
    assert "allowed: application/pdf" not in html  # the content types are the API's words


def test_an_upload_without_a_file_is_refused(customer_client: Client, sev2_case: Case) -> None:
    page = customer_client.post(f"/portal/cases/{sev2_case.pk}/attachments", {})
    assert page.status_code == 400
    assert 'id="id_file_error"' in page.content.decode()


def test_an_internal_attachment_is_hidden_from_the_customer(
    agent_client: Client, customer_client: Client, sev2_case: Case
) -> None:
    page = agent_client.post(
        f"/console/cases/{sev2_case.pk}/attachments",
        {"file": _file("notes.txt"), "internal": "on"},
    )
    assert page.status_code == 302
    attachment = Attachment.objects.get()
    assert not attachment.public
    assert "notes.txt" in agent_client.get(f"/console/cases/{sev2_case.pk}/").content.decode()
    assert "notes.txt" not in customer_client.get(f"/portal/cases/{sev2_case.pk}/").content.decode()
    download = customer_client.get(f"/portal/cases/{sev2_case.pk}/attachments/{attachment.pk}")
    assert download.status_code == 404
    staff = agent_client.get(f"/console/cases/{sev2_case.pk}/attachments/{attachment.pk}")
    assert staff.status_code == 200


def test_another_organisation_cannot_download(
    stranger: Any, sev2_case: Case, customer: Any
) -> None:
    client_for(customer).post(f"/portal/cases/{sev2_case.pk}/attachments", {"file": _file()})
    attachment = Attachment.objects.get()
    page = client_for(stranger).get(f"/portal/cases/{sev2_case.pk}/attachments/{attachment.pk}")
    assert page.status_code == 404


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ('re"port.txt', "re_port.txt"),
        ("C:\\Users\\eve\\log.txt", "log.txt"),
        ("../../etc/passwd", "passwd"),
    ],
)
def test_file_names_are_cleaned_when_uploaded(
    customer_client: Client, sev2_case: Case, sent: str, stored: str
) -> None:
    page = customer_client.post(
        f"/portal/cases/{sev2_case.pk}/attachments", {"file": _file(name=sent)}
    )
    assert page.status_code == 302
    attachment = Attachment.objects.get(case=sev2_case)
    assert attachment.name == stored
    download = customer_client.get(f"/portal/cases/{sev2_case.pk}/attachments/{attachment.pk}")
    assert (
        "\r" not in download["Content-Disposition"] and "\n" not in download["Content-Disposition"]
    )


def test_the_api_attachment_url_downloads_the_file(customer: Any, sev2_case: Case) -> None:
    from tests.cases.conftest import bearer

    api = bearer(customer)
    created = api.post(f"/api/cases/{sev2_case.pk}/attachments", {"file": _file()})
    assert created.status_code == 201, created.content
    download = api.get(created.json()["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"ERROR 500"  # type: ignore[attr-defined]


@override_settings(CASE_ATTACHMENT_MAX_BYTES=1024)
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    customer_client: Client, sev2_case: Case
) -> None:
    huge = b"x" * (200 * 1024)
    page = customer_client.post(
        f"/portal/cases/{sev2_case.pk}/attachments", {"file": _file(content=huge)}
    )
    assert page.status_code == 413
    assert "the limit is" in page.content.decode()
    api = customer_client.post(
        f"/api/cases/{sev2_case.pk}/attachments", {"file": _file(content=huge)}
    )
    assert api.status_code == 413 and api.json()["field"] == "file"
    assert not Attachment.objects.exists()
