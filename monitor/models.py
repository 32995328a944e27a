import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dimensions import ALL_TAGS, Level


class Organisation(models.Model):
    """A participant (a municipality) or a body that looks at participants (a province)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        PROVINCE = "province", _("province")
        WATER_BOARD = "water_board", _("water board")

    cbs_code = models.CharField(
        _("CBS code"),
        max_length=10,
        unique=True,
        help_text=_("The code Statistics Netherlands gives the organisation, e.g. GM0197."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MUNICIPALITY)
    province = models.CharField(_("province"), max_length=50)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(cbs_code__regex=r"^[A-Z]{2}[0-9]{2,8}$"),
                name="organisation_cbs_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.cbs_code = self.cbs_code.strip().upper()
        super().save(*args, **kwargs)

    @property
    def url_code(self) -> str:
        """The CBS code as it appears in URLs: lower case, like the demo accounts."""
        return self.cbs_code.lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a login. Each has exactly one role; see monitor/access.py for its reach."""

    class Role(models.TextChoices):
        PENVOERDER = "penvoerder", _("penvoerder")
        CONTRIBUTOR = "contributor", _("contributor")
        SERVICE_DESK = "servicedesk", _("service desk")
        ORGANISER = "organiser", _("organiser")
        PROVINCE = "province", _("province")
        ADMIN = "admin", _("programme administrator")

    # Roles that belong to one organisation; the others work across all of them.
    ORGANISATION_ROLES = (Role.PENVOERDER, Role.CONTRIBUTOR, Role.PROVINCE)
    STAFF_ROLES = (Role.SERVICE_DESK, Role.ORGANISER, Role.PROVINCE, Role.ADMIN)

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May open the programme admin.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Exactly one penvoerder per organisation: the database refuses a second one.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="penvoerder"),
                name="one_penvoerder_per_organisation",
                violation_error_message=_(
                    "This organisation already has a penvoerder. To replace them, use the "
                    "action “Make penvoerder of their organisation” on the new person."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["penvoerder", "contributor", "province"],
                        organisation__isnull=False,
                    )
                    | Q(role__in=["servicedesk", "organiser", "admin"], organisation__isnull=True)
                ),
                name="user_organisation_matches_role",
                violation_error_message=_(
                    "Penvoerders, contributors and provinces belong to an organisation; "
                    "service desk, organisers and programme administrators do not."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        if self.organisation is None or self.role not in self.ORGANISATION_ROLES:
            return  # the database's check constraint covers a missing or superfluous organisation
        is_province = self.organisation.kind == Organisation.Kind.PROVINCE
        if (self.role == self.Role.PROVINCE) != is_province:
            raise ValidationError(
                {
                    "organisation": _("A province account belongs to a province.")
                    if self.role == self.Role.PROVINCE
                    else _("Penvoerders and contributors belong to a municipality.")
                }
            )

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_penvoerder(self) -> bool:
        return self.role == self.Role.PENVOERDER

    @property
    def is_contributor(self) -> bool:
        return self.role == self.Role.CONTRIBUTOR

    @property
    def is_staff_role(self) -> bool:
        return self.role in self.STAFF_ROLES or self.is_superuser


class AuditEvent(models.Model):
    """A security-relevant event. Never holds a password, token, code or scan answer."""

    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOGOUT = "logout", _("logged out")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        PASSWORD_RESET = "password_reset", _("password set through emailed link")
        ACCOUNT_ISSUED = "account_issued", _("account issued")
        PASSWORD_LINK_SENT = "password_link_sent", _("link to set the password sent")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("account deactivated")
        ROLE_CHANGED = "role_changed", _("role changed")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("two-factor authentication enabled")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("two-factor authentication disabled")
        # The service desk's work on an edition.
        DEADLINE_CHANGED = "deadline_changed", _("deadline changed")
        EXTENSION_GRANTED = "extension_granted", _("extension granted")
        SCAN_REOPENED = "scan_reopened", _("scan opened again")
        ANNOUNCEMENT_SENT = "announcement_sent", _("announcement sent")
        REMINDERS_SENT = "reminders_sent", _("deadline reminders sent")
        # Masterclass attendees are personal data: what is done with it on request or by age.
        ATTENDEE_EXPORTED = "attendee_exported", _("attendee data exported")
        ATTENDEE_DELETED = "attendee_deleted", _("attendee data deleted")
        ATTENDEES_ANONYMISED = "attendees_anonymised", _("attendee data anonymised")

    class Result(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too, so the trail survives when an account is deleted.
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result, default=Result.SUCCESS)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"
        )


# --- The annual scan -----------------------------------------------------------------------


class Localised:
    """Questionnaire texts are data in Dutch with an English twin; show the English one when
    the page is in English and it has been written."""

    def localised(self, field: str) -> str:
        dutch = getattr(self, field)
        if get_language() == "en":
            return getattr(self, f"{field}_en") or dutch
        return dutch


class EditionQuerySet(models.QuerySet):
    def visible(self) -> "EditionQuerySet":
        """The editions participants and staff can open: every one that is not a draft, newest
        first."""
        return self.exclude(status=Edition.Status.DRAFT).order_by("-year")

    def open(self) -> "EditionQuerySet":
        """The editions being filled in now, newest first."""
        return self.filter(status=Edition.Status.OPEN).order_by("-year")

    def ended(self) -> "EditionQuerySet":
        """The editions whose filling-in has ended (closed or results published), newest
        first: their figures no longer change with each scan submitted."""
        return self.filter(status__in=[Edition.Status.CLOSED, Edition.Status.PUBLISHED]).order_by(
            "-year"
        )


class Edition(Localised, models.Model):
    """One year of the CI Monitor, with its own questionnaire."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("results published")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    reminder_days = models.JSONField(
        _("reminder days"),
        default=list,
        blank=True,
        help_text=_(
            "Penvoerders who have not submitted get a reminder this many days before their "
            "deadline; empty means the default of the DEADLINE_REMINDER_DAYS setting."
        ),
    )

    # Changes whenever a section, question or option of this edition changes, so that each
    # process knows when its copy of the questionnaire is out of date (monitor/questionnaire.py).
    questionnaire_version = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return self.title or str(self.year)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def reminders_before(self) -> list[int]:
        """The days before a deadline on which reminders go out, largest first."""
        from django.conf import settings

        return sorted(set(self.reminder_days or settings.DEADLINE_REMINDER_DAYS), reverse=True)


class Section(Localised, models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "key"], name="section_key_unique_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition.year} – {self.title}"


class Question(Localised, models.Model):
    class Type(models.TextChoices):
        SCALE = "scale", _("scale")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        YES_NO = "yesno", _("yes/no")
        NUMBER = "number", _("number")
        AMOUNT = "amount", _("amount in euros")
        PERCENTAGE = "percentage", _("percentage")
        TEXT = "text", _("free text")

    CHOICE_TYPES = (Type.SCALE, Type.SINGLE, Type.MULTIPLE, Type.YES_NO)
    NUMERIC_TYPES = (Type.NUMBER, Type.AMOUNT, Type.PERCENTAGE)

    # The edition is the section's; it is kept here too so the database can hold each key
    # unique within an edition.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        _("key"),
        max_length=80,
        help_text=_("Stays the same from year to year, so answers can be compared and taken over."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    type = models.CharField(_("type"), max_length=12, choices=Type)
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help = models.TextField(_("help text"), blank=True)
    help_en = models.TextField(_("help text (English)"), blank=True)
    advice = models.TextField(_("advice"), blank=True)
    advice_en = models.TextField(_("advice (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    level = models.CharField(_("level"), max_length=15, choices=Level)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    not_more_than = models.SlugField(
        _("not more than the answer to"),
        max_length=80,
        blank=True,
        help_text=_("Key of an amount question this amount may not exceed."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    full_points_at = models.DecimalField(
        _("full points at"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["edition", "section__position", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "key"], name="question_key_unique_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition.year} {self.key}"

    def points_for(self, value) -> Decimal | None:
        """The points an answer earns, before weighting, with the options prefetched: kept at
        submission, so a later change to the questionnaire does not change a submitted scan.
        None for an empty answer and for a question that is not scored."""
        if not value_is_given(value) or self.weight == 0:
            return None
        points = {option.key: option.points for option in self.options.all()}
        if self.type == self.Type.MULTIPLE:
            return Decimal(sum(points.get(key, 0) for key in value))
        if self.type in self.CHOICE_TYPES:
            return Decimal(points.get(value, 0))
        if self.type in (self.Type.NUMBER, self.Type.PERCENTAGE) and self.full_points_at:
            return min(Decimal(value) / self.full_points_at, Decimal(1)).quantize(Decimal("0.0001"))
        return None

    def max_points(self) -> Decimal:
        """The most an answer can earn (``points_for`` at its best), with the options
        prefetched: every option with points together for multiple choice, the best option
        for a choice, 1 for numbers and percentages (a fraction of ``full_points_at``)."""
        points = [option.points for option in self.options.all()]
        if self.type == self.Type.MULTIPLE:
            return Decimal(sum(p for p in points if p > 0))
        if points:
            return Decimal(max(points))
        return Decimal(1)

    def clean(self):
        super().clean()
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            raise ValidationError({"tags": _('Enter the tags as a list, e.g. ["gww", "energie"].')})
        unknown = set(self.tags) - ALL_TAGS
        if unknown:
            raise ValidationError({"tags": _("Unknown tags: %s") % ", ".join(sorted(unknown))})


class Option(Localised, models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=0)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "key"], name="option_key_unique_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Scan(models.Model):
    """One municipality's response to one edition."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        SUBMITTED = "submitted", _("submitted")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="scans")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="scans")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    extended_until = models.DateTimeField(
        _("extension until"),
        null=True,
        blank=True,
        help_text=_("This municipality may keep working until then, past the edition's deadline."),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Set on a scan read with its row locked for this request's transaction (the access
    # module's ``scan_for_user(..., lock=True)``): the services need not lock it again.
    is_locked = False

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "edition"], name="one_scan_per_organisation_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.edition.year}"

    @property
    def deadline(self):
        if self.extended_until and (
            self.edition.deadline is None or self.extended_until > self.edition.deadline
        ):
            return self.extended_until
        return self.edition.deadline

    def deadline_passed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.deadline is not None and now > self.deadline

    @property
    def is_started(self) -> bool:
        """Whether the scan exists yet: the access module hands out a scan of the open edition
        that nobody has started as an unsaved one, and the first write creates it."""
        return self.pk is not None

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def is_editable(self, now=None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.edition.is_open
            and not self.deadline_passed(now)
        )

    def can_reopen(self, now=None) -> bool:
        """Whether the service desk may open this submitted scan again: only while its edition
        is open and before its deadline (with extension). Once the edition has closed the
        figures are the province's, and a reopened scan would change them after the fact."""
        return self.is_submitted and self.edition.is_open and not self.deadline_passed(now)

    def progress(self) -> "Progress":
        """Per section, the required questions and how many have a confirmed answer, and how
        many answers taken over from last year wait for confirmation. Two queries."""
        questions = self.edition.questions.select_related("section").order_by(
            "section__position", "position"
        )
        answers = (
            self.answers.values_list("question_id", "value", "prefilled") if self.is_started else []
        )
        return Progress.of(questions, answers)


def value_is_given(value) -> bool:
    """Whether an answer's value says something: not empty, no empty text or choice list."""
    return value not in (None, "", [])


def is_confirmed(value, prefilled: bool) -> bool:
    """Whether an answer counts as answered: it says something, and if it was taken over from
    last year, someone has confirmed it."""
    return value_is_given(value) and not prefilled


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage; nothing to do counts as done."""
    return round(100 * part / whole) if whole else 100


@dataclass(frozen=True)
class SectionProgress:
    section: "Section"
    questions: int
    required: int
    answered: int
    waiting: int

    @property
    def percent(self) -> int:
        return percent(self.answered, self.required)


@dataclass(frozen=True)
class Progress:
    """How far a scan is: per section and in all (``Scan.progress``)."""

    sections: tuple[SectionProgress, ...]

    @classmethod
    def of(cls, questions, answers) -> "Progress":
        """From the questionnaire's questions (with their section) and the scan's answers as
        ``(question_id, value, prefilled)``."""
        answered, waiting = set(), set()
        for question_id, value, prefilled in answers:
            if prefilled:
                waiting.add(question_id)
            elif is_confirmed(value, prefilled):
                answered.add(question_id)
        counts: dict[int, list] = {}
        for question in questions:
            row = counts.setdefault(question.section_id, [question.section, 0, 0, 0, 0])
            row[1] += 1
            row[4] += question.pk in waiting
            if question.required:
                row[2] += 1
                row[3] += question.pk in answered
        return cls(tuple(SectionProgress(*row) for row in counts.values()))

    @property
    def required(self) -> int:
        return sum(s.required for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def waiting(self) -> int:
        return sum(s.waiting for s in self.sections)

    @property
    def percent(self) -> int:
        return percent(self.answered, self.required)


class Answer(models.Model):
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # str for choices and text, list of str for multiple choice, str of a decimal for numbers.
    value = models.JSONField(_("value"), null=True, blank=True)
    prefilled = models.BooleanField(
        _("taken over from last year"),
        default=False,
        help_text=_("Taken over from last year's scan and not yet confirmed."),
    )
    # Goes up with every change; a save based on an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    points = models.DecimalField(
        _("points"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Stored when the scan is submitted."),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # Not indexed (no page looks answers up by their author): an autosave then changes no
    # indexed column, and PostgreSQL updates the row in place without touching an index.
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["scan", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.scan} {self.question.key}"

    @property
    def is_given(self) -> bool:
        return value_is_given(self.value)

    @property
    def is_confirmed(self) -> bool:
        return is_confirmed(self.value, self.prefilled)


class ScanChange(models.Model):
    """The scan's own trail: who changed which answer, and when. Shown to the municipality."""

    class Action(models.TextChoices):
        ANSWERED = "answered", _("answered")
        CLEARED = "cleared", _("cleared")
        PREFILLED = "prefilled", _("taken over from last year")
        EVIDENCE_ADDED = "evidence_added", _("evidence added")
        EVIDENCE_REMOVED = "evidence_removed", _("evidence removed")
        REMARK = "remark", _("remark left")
        SUBMITTED = "submitted", _("submitted")
        REOPENED = "reopened", _("reopened")

    # The trail is read per scan only (its scan_id index); every autosave adds a line, so it
    # keeps no other index to write.
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="changes")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    value = models.JSONField(_("value"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("scan change")
        verbose_name_plural = _("scan changes")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: the original is kept in the database and only sent to the municipality.
    return f"evidence/{instance.scan_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="evidence")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # The default storage under MEDIA_ROOT, which no URL serves (see settings.MEDIA_ROOT).
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class Remark(models.Model):
    """A penvoerder's remark on a question, for whoever prepares the next edition."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="remarks")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="remarks")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("remark"), max_length=2000)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")

    def __str__(self) -> str:
        return self.text[:60]


class SectionAssignment(models.Model):
    """A section of the scan a contributor may answer, by its stable key."""

    contributor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sections")
    section_key = models.SlugField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contributor", "section_key"], name="one_assignment_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contributor} – {self.section_key}"
