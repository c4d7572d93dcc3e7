import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_the_database_as_json() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_openapi_schema_is_served() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/organisations" in response.json()["paths"]


@pytest.mark.django_db
def test_api_docs_load_their_assets_locally() -> None:
    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
