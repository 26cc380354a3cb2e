"""The WSGI application for gunicorn (`apa serve`) or any WSGI server. Without DEBUG it refuses to load unless
SECRET_KEY and ALLOWED_HOSTS are set in the environment (apa.settings.SERVE_REFUSAL)."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")

from django.conf import settings  # noqa: E402

if getattr(settings, "SERVE_REFUSAL", ""):
    raise ImproperlyConfigured(settings.SERVE_REFUSAL)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
