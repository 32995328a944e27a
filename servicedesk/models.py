"""The service desk's own records: the reminders sent before a deadline, and announcements to
every penvoerder."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitor.models import Edition, Organisation, User


class DeadlineReminder(models.Model):
    """That a municipality's penvoerder was reminded of a deadline, ``days_before`` it: each
    reminder goes out once per deadline, however often the daily task runs; a deadline moved
    (or an extension) has reminders of its own."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    # The day of the deadline reminded of (its time may move without new reminders).
    deadline = models.DateField(_("deadline"))
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "edition", "deadline", "days_before"],
                name="one_reminder_per_day_per_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition.year} −{self.days_before}"


class Announcement(models.Model):
    """A message from the service desk to every penvoerder, e.g. a feedback moment."""

    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The addresses it has gone to so far: a task that is run again (a worker that died
    # half-way) sends only to the rest.
    delivered_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.subject
