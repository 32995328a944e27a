import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitor.models import Edition, Organisation, Scan


class ScanScore(models.Model):
    """A submitted scan's score on one dimension value (or overall), kept for comparisons."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="scores")
    # "overall", "level:<level>" or "tag:<focus area, category or spearhead>"
    dimension = models.CharField(_("dimension"), max_length=60)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["scan", "dimension"], name="one_score_per_dimension"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="score_between_0_and_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scan} {self.dimension} {self.score}"


class TopTenPublication(models.Model):
    """The organiser's announcement of an edition's Top 10, at the closing meeting."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="top_ten")
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Top 10 publication")
        verbose_name_plural = _("Top 10 publications")

    def __str__(self) -> str:
        return f"Top 10 {self.edition.year}"


class NamingConsent(models.Model):
    """Whether a municipality may be named in an edition's Top 10; without it, it appears as an
    anonymous participant."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    may_be_named = models.BooleanField(_("may be named in the Top 10"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        verbose_name = _("naming consent")
        verbose_name_plural = _("naming consents")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "edition"], name="one_consent_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition.year}: {self.may_be_named}"


class ImprovementGoal(models.Model):
    """A score the municipality aims for on a dimension in the next edition."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The edition it was set in."),
    )
    dimension = models.CharField(_("dimension"), max_length=60)
    target = models.DecimalField(_("target score"), max_digits=4, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("improvement goal")
        verbose_name_plural = _("improvement goals")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "edition", "dimension"], name="one_goal_per_dimension"
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=0, target__lte=100), name="goal_between_0_and_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition.year} {self.dimension} {self.target}"


def report_path(instance: "Report", filename: str) -> str:
    return f"reports/{instance.scan_id}/{uuid.uuid4().hex}.pdf"


class Report(models.Model):
    """A scan's PDF report, made in the background. Kept under MEDIA_ROOT, which no URL serves;
    only the municipality downloads it, through the access check."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    file = models.FileField(upload_to=report_path, blank=True, max_length=200)
    # When it was last asked for (a report made again is asked for again).
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.scan} {self.status}"

    @property
    def is_queued(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def is_overdue(self) -> bool:
        """Queued for longer than a worker may take over it, even one that died with it and
        whose task the broker handed out again: its task was lost, and it may be asked for
        once more."""
        waited = timezone.now() - self.requested_at
        limit = settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
            "visibility_timeout", 0
        )
        return self.is_queued and waited.total_seconds() > limit

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED
