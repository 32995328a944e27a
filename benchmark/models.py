from django.db import models
from django.utils.translation import gettext_lazy as _

from monitor.models import Scan


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
