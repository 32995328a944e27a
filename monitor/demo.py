"""Synthetic scans for the demo: plausible, varied answers, so results pages have real spread.

Each municipality gets a "maturity" between 0.1 and 0.9 that drives all its answers, and grows
a little from one year to the next. Everything is drawn from a generator seeded with the CBS
code and year, so running the demo again gives the same answers."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .forms import stored_value
from .models import Answer, Edition, Organisation, Question, Scan, ScanChange, User
from .services.questionnaires import QUESTIONNAIRE_DIR, questionnaire_load
from .services.scans import scan_submitted

T = Question.Type
PREVIOUS_YEAR, CURRENT_YEAR = 2025, 2026
SHOWCASE = "GM0197"  # Aalten, whose penvoerder the README suggests logging in as

# Sent by seed_demo once the editions and scans are in, with the open edition: the other apps
# add their demo data (the masterclasses their sessions and attendees) without monitor knowing.
demo_seeded = Signal()


def demo_editions_seed() -> tuple[Edition, Edition]:
    previous = questionnaire_load(QUESTIONNAIRE_DIR / f"{PREVIOUS_YEAR}.toml")
    current = questionnaire_load(QUESTIONNAIRE_DIR / f"{CURRENT_YEAR}.toml")
    now = timezone.now()
    Edition.objects.filter(pk=previous.pk).update(
        status=Edition.Status.PUBLISHED,
        opens_on=(now - timedelta(days=400)).date(),
        deadline=now - timedelta(days=300),
    )
    Edition.objects.filter(pk=current.pk).update(
        status=Edition.Status.OPEN,
        opens_on=(now - timedelta(days=30)).date(),
        deadline=timezone.localtime(now + timedelta(days=45)).replace(
            hour=23, minute=59, second=0, microsecond=0
        ),
    )
    previous.refresh_from_db()
    current.refresh_from_db()
    return previous, current


@transaction.atomic
def demo_scans_seed(previous: Edition, current: Edition) -> int:
    """Previous edition: most municipalities submitted. Current edition: a mix of not started,
    in progress and submitted. Scans that exist already are left as they are."""
    municipalities = list(Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY))
    penvoerders = {u.organisation_id: u for u in User.objects.filter(role=User.Role.PENVOERDER)}
    existing = set(Scan.objects.values_list("organisation_id", "edition_id"))
    questions = {
        edition.pk: list(edition.questions.prefetch_related("options"))
        for edition in (previous, current)
    }
    answers, changes, created, submitted_ids = [], [], 0, []
    for organisation in municipalities:
        rng = random.Random(organisation.cbs_code)  # noqa: S311 (demo data, not security)  # nosec B311
        maturity = rng.uniform(0.1, 0.9)
        current_plan = rng.choice(["submitted", "submitted", "progress", "progress", None])
        if organisation.cbs_code == SHOWCASE:
            current_plan = "progress"  # the README's example: a scan to try filling in
        plans = [
            (previous, "submitted" if rng.random() < 0.88 else None, maturity),
            (current, current_plan, min(maturity + rng.uniform(0, 0.12), 0.95)),
        ]
        for edition, plan, level in plans:
            if plan is None or (organisation.pk, edition.pk) in existing:
                continue
            penvoerder = penvoerders.get(organisation.pk)
            submitted = plan == "submitted"
            scan = Scan.objects.create(
                organisation=organisation,
                edition=edition,
                status=Scan.Status.SUBMITTED if submitted else Scan.Status.OPEN,
                submitted_at=(
                    min(edition.deadline, timezone.now()) - timedelta(days=rng.randint(1, 20))
                )
                if submitted
                else None,
                submitted_by=penvoerder if submitted else None,
            )
            created += 1
            if submitted:
                submitted_ids.append(scan.pk)
            share = 1.0 if submitted else rng.uniform(0.2, 0.8)
            draw = random.Random(f"{organisation.cbs_code}-{edition.year}")  # noqa: S311  # nosec B311
            for question in questions[edition.pk]:
                if not submitted and draw.random() > share:
                    continue
                value = _demo_value(question, level, draw, organisation)
                answers.append(
                    Answer(
                        scan=scan,
                        question=question,
                        value=value,
                        updated_by=penvoerder,
                        points=question.points_for(value) if submitted else None,
                    )
                )
            changes.append(
                ScanChange(
                    scan=scan,
                    action=ScanChange.Action.SUBMITTED if submitted else ScanChange.Action.ANSWERED,
                    actor=penvoerder,
                    detail="demo",
                )
            )
    Answer.objects.bulk_create(answers)
    ScanChange.objects.bulk_create(changes)
    # As if each had been submitted through the page: the results app stores its scores.
    for scan in Scan.objects.filter(pk__in=submitted_ids).select_related("edition"):
        transaction.on_commit(lambda scan=scan: scan_submitted.send(sender=Scan, scan=scan))
    return created


def _demo_value(question: Question, level: float, rng: random.Random, organisation: Organisation):
    options = list(question.options.all())
    if question.type in (T.SCALE, T.SINGLE):
        index = round(level * (len(options) - 1) + rng.gauss(0, 0.8))
        return options[max(0, min(index, len(options) - 1))].key
    if question.type == T.YES_NO:
        return "ja" if rng.random() < level else "nee"
    if question.type == T.MULTIPLE:
        scored = [o for o in options if o.points > 0]
        chosen = [o.key for o in scored if rng.random() < level]
        return sorted(chosen) or [next((o.key for o in options if o.points == 0), options[0].key)]
    if question.type in (T.PERCENTAGE, T.NUMBER):
        full = float(question.full_points_at or 10)
        value = max(0.0, rng.gauss(level * full * 1.1, full * 0.15))
        if question.type == T.PERCENTAGE:
            value = min(value, 100.0)
        return stored_value(question, Decimal(value).quantize(Decimal("0.1")))
    if question.type == T.AMOUNT:
        # Larger municipalities buy more; the circular part grows with maturity.
        size = random.Random(f"{organisation.cbs_code}-{question.key.rsplit('_', 1)[0]}")  # noqa: S311  # nosec B311
        total = Decimal(size.randint(500, 40000) * 1000)
        if question.not_more_than:
            return str(
                (total * Decimal(min(level * 0.3 * rng.uniform(0.5, 1.5), 1))).quantize(Decimal(1))
            )
        return str(total)
    return None  # free text stays empty in the demo
