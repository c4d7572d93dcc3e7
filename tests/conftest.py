"""Fixtures shared by every database-backed test: named for what they give."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from hypothesis import settings

# The properties check answers, not speed (the benches under bench/ do): a loaded CI
# machine must not fail an example for taking longer than hypothesis' 200 ms default.
settings.register_profile("supportdesk", deadline=None)
settings.load_profile("supportdesk")

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in {"localhost", "::1"} or self.family == socket.AF_UNIX
    ):
        raise RuntimeError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only loopback: a test that reaches further is a bug (and there is no internet)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    return


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """A request in another language leaves that language active in the thread
    (LocaleMiddleware activates the request's language and nothing deactivates it):
    later tests on the same worker would read it."""
    with translation.override(translation.get_language()):
        yield


def pytest_configure(config: pytest.Config) -> None:
    # PBKDF2's deliberate slowness is most of a user fixture's cost; the tests check
    # who may sign in, not how hard a stored hash is to crack.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The data directory of a test run is its own: uploads never land in the checkout's
    # var/, and the static root exists as after collectstatic (WhiteNoise serves the
    # files through the finders in tests, and warns on every start without the root).
    data_dir = Path(tempfile.mkdtemp(prefix="supportdesk-tests-"))
    config.add_cleanup(lambda: shutil.rmtree(data_dir, ignore_errors=True))
    settings.MEDIA_ROOT = data_dir / "media"
    settings.STATIC_ROOT = data_dir / "static"
    settings.STATIC_ROOT.mkdir()
    _scan_static_files_once()


def _scan_static_files_once() -> None:
    """WhiteNoise lists every finder's static files when its middleware is made: once
    per process when serving, but once per test ``Client`` (each loads the middleware
    anew), a tenth of a second each. The files do not change during a run, so the scan
    is kept per process for the same static settings; what is served is unchanged."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    scan = WhiteNoiseMiddleware.add_files_from_finders
    scanned: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        key = (
            self.static_prefix,
            self.max_age,
            self.charset,
            self.allow_all_origins,
            self.index_file,
            getattr(settings, "WHITENOISE_ADD_HEADERS_FUNCTION", None),
            getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None),
            str(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            tuple(settings.INSTALLED_APPS),
            tuple(str(d) for d in settings.STATICFILES_DIRS),
            tuple(settings.STATICFILES_FINDERS),
        )
        if key not in scanned:
            before = dict(self.files)
            scan(self)
            scanned[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(scanned[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders  # type: ignore[method-assign]


def policy_text(name: str) -> str:
    return (POLICY_DIR / f"{name}.yaml").read_text(encoding="utf-8")
