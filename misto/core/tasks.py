"""Background tasks: Django 6's Tasks framework, through its backport on Django 5.2.

Modules import ``task`` from here, so that the move to Django 6 changes one import.
"""

from django_tasks import task

__all__ = ["task"]
