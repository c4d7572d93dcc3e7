"""WSGI entry point: ``gunicorn supportdesk.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from supportdesk.collector import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
application = get_wsgi_application()
# Each gunicorn worker imports this module once it has forked: the app is loaded.
settle()
