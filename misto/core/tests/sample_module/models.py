from django.db import models


class Echo(models.Model):
    """One row per event handled: the unique key makes a double delivery visible."""

    event_id = models.BigIntegerField(unique=True)
    number = models.IntegerField()
    handled_by_pid = models.IntegerField()

    def __str__(self) -> str:
        return f"echo {self.number}"


class Tick(models.Model):
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"tick {self.at}"
