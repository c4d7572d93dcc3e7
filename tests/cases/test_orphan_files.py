"""Files a rolled-back upload left in storage are swept once no transaction can still
need them; every file an attachment names stays."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk import clock
from supportdesk.cases import services
from supportdesk.cases.models import Attachment, Case
from supportdesk.cases.services.files import GRACE, sweep_orphan_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _age(path: Path, by: dt.timedelta) -> None:
    when = (clock.now() - by).timestamp()
    os.utime(path, (when, when))


def test_an_upload_rolled_back_leaves_a_file_the_sweep_removes(
    media: Path, customer: Any, sev2_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = services.add_attachment(
        actor=customer,
        case_id=sev2_case.pk,
        upload=SimpleUploadedFile("kept.txt", b"ok", "text/plain"),
    )

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("timeline down")

    # The file reaches storage, then the transaction fails and rolls back.
    monkeypatch.setattr("supportdesk.cases.events.record", broken)
    with pytest.raises(RuntimeError):
        services.add_attachment(
            actor=customer,
            case_id=sev2_case.pk,
            upload=SimpleUploadedFile("lost.txt", b"lost", "text/plain"),
        )
    assert Attachment.objects.count() == 1
    stored = sorted(media.rglob("*.txt"))
    orphan = next(p for p in stored if p.name.startswith("lost"))
    assert len(stored) == 2
    # Young: it may belong to a transaction still running, so it stays.
    assert sweep_orphan_files() == []
    for path in stored:
        _age(path, GRACE + dt.timedelta(minutes=1))
    removed = sweep_orphan_files()
    assert [Path(name).name for name in removed] == [orphan.name]
    assert not orphan.exists() and (media / kept.file.name).exists()
    assert sweep_orphan_files() == []  # nothing left to do


def test_only_the_latest_two_month_folders_are_read(media: Path, db: None) -> None:
    for month in ("2026/09", "2026/10", "2026/11"):
        folder = media / "cases" / month
        folder.mkdir(parents=True)
        (folder / "x.txt").write_bytes(b"x")
        _age(folder / "x.txt", GRACE * 2)
    removed = sorted(sweep_orphan_files())
    assert removed == ["cases/2026/10/x.txt", "cases/2026/11/x.txt"]
    assert (media / "cases/2026/09/x.txt").exists()


def test_no_upload_yet_is_nothing_to_sweep(db: None) -> None:
    assert sweep_orphan_files() == []
