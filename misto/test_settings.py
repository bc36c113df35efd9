"""Settings for the test suite: the production settings plus the core's sample module."""

from misto.settings import *  # noqa: F403
from misto.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "misto.core.tests.sample_module"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise looks static files up when they are asked for, instead of walking every app's
# static files when its middleware is built: Django's test client builds the middleware once
# per client, so once per test, and the walk (thousands of map glyphs) was ~0.09 s of each.
WHITENOISE_AUTOREFRESH = True
