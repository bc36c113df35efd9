"""Settings for the test suite: the production settings plus the core's sample module."""

from misto.settings import *  # noqa: F403
from misto.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "misto.core.tests.sample_module"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
