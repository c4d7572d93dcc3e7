"""Starting Django for a command: the data folder, its generated secret key, the settings.

Every command that touches the database starts Django through :func:`start_django`, so
each finds the secret key that ``serve`` generated in the data folder without
``SECRET_KEY`` being exported (the settings refuse the public built-in key).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """The data folder: ``--data-dir`` (copied to the environment by ``main``), else ./var."""
    return Path(os.environ.get("SUPPORTDESK_DATA_DIR", "var"))


def ensure_secret_key(folder: Path) -> None:
    """Give the embedded default a stable random SECRET_KEY kept in the data folder."""
    if os.environ.get("SECRET_KEY") or os.environ.get("DEBUG", "").lower() in {"1", "true"}:
        return
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["SECRET_KEY"] = key_file.read_text().strip()


def start_django() -> None:
    """Settings from the environment plus the data folder's secret key; idempotent."""
    ensure_secret_key(data_dir())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django
    from django.apps import apps

    # Once per process: a second setup would configure logging again, pointing its
    # handler at whatever sys.stderr is by then (a test's capture, closed after it).
    if not apps.ready:
        django.setup()
