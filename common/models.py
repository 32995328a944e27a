from django.db import models
from django.utils import timezone


class PendingTask(models.Model):
    """A task that could not be handed to the broker (Redis was away), or a mail task that ran
    out of retries (the mail server was away): common/outbox.py sends it again when the broker
    is back and ``not_before`` has passed."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    not_before = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"
