"""WSGI entry point, for servers that only speak WSGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")
application = get_wsgi_application()
