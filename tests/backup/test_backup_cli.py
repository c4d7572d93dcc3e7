"""``supportdesk export`` / ``import``: the demo data, restored into an empty database,
answers the same queues, clocks and escalations; bad archives and non-empty databases
are refused with exit 2 and the reason."""

from __future__ import annotations

import functools
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supportdesk import clock
from tests.backup.conftest import Site

# One worker runs them all: the demo site, its archive and the restored site are built
# once (each costs subprocesses running migrations and the demo seed), not per worker.
pytestmark = pytest.mark.xdist_group("backup")

PEOPLE = ("nora", "erik", "alice", "petra", "fiona")
ANSWERS = (
    "cannot_book=false,cannot_update_rates=false,cannot_send_confirmations=false,"
    "platform_down=false,workaround=false,significant_impact=false,cosmetic=true"
)


@functools.cache
def viewed_at() -> str:
    """The one instant every view of both sites is taken at (fixed at the first view,
    after the demo was made): the clocks they show are computed as of the request
    (RSP-6), so only a pinned clock makes them comparable."""
    return clock.now().isoformat()


def queue(site: Site, who: str) -> list[dict[str, Any]]:
    [page] = site.views(["case", "list", "--as", who, "--limit", "200"], at=viewed_at())
    items: list[dict[str, Any]] = page["items"]
    return items


def tables(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith(("tables/", "files/"))}


@pytest.fixture(scope="session")
def full_archive(demo_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "demo.zip"
    demo_site.run("export", "--with-passwords", str(path))
    return path


@pytest.fixture(scope="session")
def restored(full_archive: Path, new_site: Callable[..., Site]) -> Site:
    # Unmigrated: ``import`` migrates an empty database itself.
    site = new_site(migrated=False)
    done = site.run("import", str(full_archive))
    assert "restored" in done.stderr
    return site


def views(site: Site, references: list[str]) -> list[Any]:
    return site.views(
        *(["case", "list", "--as", who, "--limit", "200"] for who in PEOPLE),
        *(["case", "show", ref, "--as", "nora"] for ref in references),
        ["escalation", "list"],
        at=viewed_at(),
    )


def test_restored_demo_answers_the_same_queues_clocks_and_escalations(
    demo_site: Site, restored: Site
) -> None:
    references = [c["reference"] for c in queue(demo_site, "nora")]
    assert len(references) >= 10
    before, after = views(demo_site, references), views(restored, references)
    queues = len(PEOPLE)
    assert after[:queues] == before[:queues]
    for shown_before, shown_after in zip(before[queues:-1], after[queues:-1], strict=True):
        assert shown_after["clocks"] == shown_before["clocks"]
        assert shown_after["clocks"], shown_before["reference"]
        assert shown_after == shown_before
    assert after[-1] == before[-1]
    assert len(after[-1]["items"]) >= 3


def test_a_restored_database_exports_the_same_rows_and_files(
    full_archive: Path, restored: Site, tmp_path: Path
) -> None:
    again = tmp_path / "again.zip"
    restored.run("export", "--with-passwords", str(again))
    assert tables(again) == tables(full_archive)
    assert any(name.startswith("files/") for name in tables(again))


def test_new_rows_after_a_restore_get_fresh_ids(restored: Site) -> None:
    before = {c["id"] for c in queue(restored, "nora")}
    created = restored.json(
        "case",
        "create",
        "--organisation",
        "alpine-lodges",
        "--requester",
        "alice",
        "--channel",
        "portal",
        "--type",
        "question",
        "--title",
        "After the restore",
        "--answers",
        ANSWERS,
        "--detail",
        "details=Asked after a restore.",
    )
    assert created["id"] > max(before)


def test_manifest_says_what_the_archive_holds(full_archive: Path) -> None:
    with zipfile.ZipFile(full_archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert (manifest["format"], manifest["version"]) == ("supportdesk-archive", 1)
    assert "0001_initial" in manifest["migrations"]["accounts"]
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    for name in (
        "cases.case",
        "cases.slaclock",
        "escalations.escalation",
        "oncall.schedule",
        "intake.inboundmessage",
        "notifications.outboxmessage",
        "policies.policyversion",
    ):
        assert counts[name] > 0, name
    names = [t["name"] for t in manifest["tables"]]
    assert names.index("accounts.organization") < names.index("cases.case")
    assert names.index("cases.case") < names.index("cases.slaclock")


def test_passwords_only_when_asked(demo_site: Site, full_archive: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    demo_site.run("export", str(plain))

    def hashes(path: Path) -> list[str]:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read("manifest.json"))
            columns = next(t["columns"] for t in manifest["tables"] if t["name"] == "accounts.user")
            rows = [json.loads(line) for line in z.read("tables/accounts.user.jsonl").splitlines()]
        return [row[columns.index("password")] for row in rows]

    assert all(h.startswith("!") for h in hashes(plain))  # Django's unusable password
    assert not any(h.startswith("!") for h in hashes(full_archive))


def test_import_refuses_a_database_that_holds_data(full_archive: Path, restored: Site) -> None:
    done = restored.run("import", str(full_archive), check=False)
    assert done.returncode == 2
    assert "supportdesk: database: not empty (accounts.organization has" in done.stderr
    assert "Traceback" not in done.stderr


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w") as out:
        for info in z.infolist():
            out.writestr(info, change(info.filename, z.read(info.filename)))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (
            "version",
            "archive format version 99 is not supported (this supportdesk reads version 1)",
        ),
        ("migration", "migrations unknown here: cases.9999_from_the_future"),
        ("truncated", "holds 12 rows, the manifest says 13: truncated"),
        ("not json", "is not JSON"),
        ("not a zip", "not a readable archive"),
        ("bit flip", "the archive is corrupt"),
    ],
)
def test_bad_archives_are_refused_and_leave_the_database_empty(
    damage: str,
    reason: str,
    demo_site: Site,
    full_archive: Path,
    new_site: Callable[..., Site],
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.zip"
    if damage == "version":
        _rewrite(
            full_archive,
            bad,
            lambda n, b: (
                b.replace(b'"version": 1', b'"version": 99') if n == "manifest.json" else b
            ),
        )
    elif damage == "migration":

        def future(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest["migrations"]["cases"].append("9999_from_the_future")
            return json.dumps(manifest).encode()

        _rewrite(full_archive, bad, future)
    elif damage == "truncated":
        _rewrite(
            full_archive,
            bad,
            lambda n, b: b"".join(b.splitlines(True)[:-1]) if n == "tables/cases.case.jsonl" else b,
        )
    elif damage == "not json":
        _rewrite(
            full_archive,
            bad,
            lambda n, b: b"{oops\n" + b if n == "tables/cases.comment.jsonl" else b,
        )
    elif damage == "not a zip":
        bad.write_bytes(b"PK\x03\x04 but not really a zip file")
    else:
        data = bytearray(full_archive.read_bytes())
        with zipfile.ZipFile(full_archive) as z:
            info = z.getinfo("tables/cases.case.jsonl")
        # The local header: 30 bytes, the name, then an extra field of the length at 28.
        extra = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
        start = info.header_offset + 30 + len(info.filename) + extra
        middle = start + info.compress_size // 2
        data[middle] ^= 0xFF
        bad.write_bytes(bytes(data))
    site = new_site()
    done = site.run("import", str(bad), check=False)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("supportdesk: FILE: ")
    assert reason in last
    assert "Traceback" not in done.stderr
    # Nothing was restored: every table the archive holds is still empty (so the same
    # archive, undamaged, would go in: an import refuses a database that holds data).
    held = _tables(full_archive)
    assert site.rows(held) == 0 and demo_site.rows(held) > 0


def _tables(archive: Path) -> list[str]:
    """The database tables of the models an archive holds (``tables/<app.model>.jsonl``)."""
    from django.apps import apps

    with zipfile.ZipFile(archive) as z:
        names = [n for n in z.namelist() if n.startswith("tables/")]
    labels = [n.removeprefix("tables/").removesuffix(".jsonl") for n in names]
    return [apps.get_model(label)._meta.db_table for label in labels]


def test_one_organisation_exports_its_cases_and_what_they_use(
    demo_site: Site, new_site: Callable[..., Site], tmp_path: Path
) -> None:
    path = tmp_path / "fjord.zip"
    demo_site.run("export", "--org", "fjord-foods", str(path))
    site = new_site()
    site.run("import", str(path))
    assert queue(site, "fiona") == queue(demo_site, "fiona")
    organisations = {c["organisation"] for c in queue(site, "amira")}
    assert organisations == {"Fjord Foods AS"}

    missing = demo_site.run("export", "--org", "no-such-org", str(tmp_path / "x.zip"), check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "supportdesk: --org: no organisation 'no-such-org'"
    assert not (tmp_path / "x.zip").exists()
    assert not (tmp_path / "x.zip.partial").exists()
