"""The masterclasses of a year, their sessions, and who registered for them.

Attendee data is personal data: it is shown to the attendee's own municipality and to the
organiser only, and is anonymised after a retention period (services.attendees_anonymise)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitor.models import Edition, Localised, Organisation

# At most this many attendees of one municipality per masterclass (seed 002, DESIGN.md). The
# database holds it too: each registration takes one of these numbered seats.
SEATS_PER_MUNICIPALITY = 3


class Masterclass(Localised, models.Model):
    """One of the year's four masterclasses, or the open closing meeting (number 5)."""

    class Number(models.IntegerChoices):
        BUYERS = 1, _("Masterclass 1")
        POLICY = 2, _("Masterclass 2")
        EXECUTION = 3, _("Masterclass 3")
        INTEGRATION = 4, _("Masterclass 4")
        CLOSING = 5, _("Closing meeting")

    # Masterclass 4 is for people who attended one of these.
    PRIOR = (Number.BUYERS, Number.POLICY, Number.EXECUTION)

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="masterclasses"
    )
    number = models.PositiveSmallIntegerField(_("number"), choices=Number)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    audience = models.TextField(_("audience"))
    audience_en = models.TextField(_("audience (English)"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    goal_en = models.TextField(_("goal (English)"), blank=True)
    topics = models.JSONField(_("programme"), default=list, blank=True)
    topics_en = models.JSONField(_("programme (English)"), default=list, blank=True)
    dagdelen = models.PositiveSmallIntegerField(
        _("duration in half-days"), default=1, help_text=_("A dagdeel is a morning or afternoon.")
    )
    lunch = models.BooleanField(_("lunch included"), default=False)

    class Meta:
        ordering = ["edition", "number"]
        verbose_name = _("masterclass")
        verbose_name_plural = _("masterclasses")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"], name="one_masterclass_per_number_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition.year} – {self.title}"

    @property
    def is_closing_meeting(self) -> bool:
        return self.number == self.Number.CLOSING

    @property
    def caps_municipalities(self) -> bool:
        """The four masterclasses admit three people per municipality; the closing meeting is
        open to all."""
        return not self.is_closing_meeting

    @property
    def needs_prior_attendance(self) -> bool:
        return self.number == self.Number.INTEGRATION

    def admits(self, organisation: Organisation | None) -> bool:
        """Masterclasses 1 to 4 are for the participating municipalities; the closing meeting
        admits provinces, water boards and guests from outside the programme too."""
        return self.is_closing_meeting or (
            organisation is not None and organisation.kind == Organisation.Kind.MUNICIPALITY
        )

    def localised_topics(self) -> list[str]:
        return self.localised("topics")


class Session(models.Model):
    """A dated occurrence of a masterclass at one place; a masterclass may run more than once."""

    masterclass = models.ForeignKey(
        Masterclass,
        verbose_name=_("masterclass"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveSmallIntegerField(
        _("places"), help_text=_("How many people the room holds, of all municipalities together.")
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_places"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.masterclass.get_number_display()}, {local:%d-%m-%Y %H:%M}, {self.place}"

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.starts_at


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)


class Registration(models.Model):
    """One person registered for one session of a masterclass.

    Made only by services.registration_create, whichever way the registration comes in (the
    municipality's page, the organiser's page, an imported list, the admin). A cancelled
    registration is kept, with its seat given back, until the retention period ends."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="registrations"
    )
    # The session's masterclass, kept here too so the database can hold the seats per
    # masterclass (a municipality's three may be spread over several sessions).
    masterclass = models.ForeignKey(
        Masterclass, on_delete=models.PROTECT, related_name="registrations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="registrations",
        null=True,
        blank=True,
        help_text=_("Empty for a guest of the closing meeting from outside the programme."),
    )
    # The refusals of what was typed name their field: a line of an imported list has no field
    # to show them at.
    organisation_name = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("The organisation of a guest from outside the programme."),
        error_messages={"max_length": _("Organisation is longer than %(limit_value)s characters.")},
    )
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    name = models.CharField(
        _("name"),
        max_length=150,
        error_messages={"max_length": _("Name is longer than %(limit_value)s characters.")},
    )
    email = models.EmailField(
        _("email address"),
        error_messages={
            "invalid": _("“%(value)s” is not a valid email address."),
            "max_length": _("Email address is longer than %(limit_value)s characters."),
        },
    )
    function = models.CharField(
        _("function"),
        max_length=150,
        error_messages={"max_length": _("Function is longer than %(limit_value)s characters.")},
    )
    dietary = models.CharField(
        _("dietary wishes"),
        max_length=300,
        blank=True,
        error_messages={
            "max_length": _("Dietary wishes are longer than %(limit_value)s characters.")
        },
    )
    chatham_house_accepted_at = models.DateTimeField(_("Chatham House Rule accepted at"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["session__starts_at", "organisation__name", "name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # The cap: a municipality's active registrations for one masterclass each hold one
            # of seats 1–3, and no seat twice. Even two transactions that both counted two
            # registrations cannot then make a fourth.
            models.UniqueConstraint(
                fields=["masterclass", "organisation", "seat"],
                condition=Q(cancelled_at__isnull=True),
                name="one_registration_per_seat",
            ),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(seat__gte=1, seat__lte=SEATS_PER_MUNICIPALITY),
                name="seat_within_cap",
            ),
            # The same person once per masterclass (anonymised rows have no address any more).
            models.UniqueConstraint(
                fields=["masterclass", "email"],
                condition=Q(cancelled_at__isnull=True) & ~Q(email=""),
                name="one_registration_per_person_per_masterclass",
            ),
        ]

    # What a person's registration says about them; the service fills in the rest.
    ATTENDEE_FIELDS = frozenset({"name", "email", "function", "dietary", "organisation_name"})

    def __str__(self) -> str:
        # No name: this is what the audit trail and the admin's messages show.
        return _("registration %(id)s") % {"id": self.pk}

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    def clean_attendee_fields(self) -> None:
        """Raise ValidationError, per field, for what the columns refuse of the attendee: an
        address that is none, a text longer than its column, a required text left empty. The
        model's own rules, for every way in: a form checks the same first, an imported list or
        a task meets them only here."""
        others = {field.name for field in self._meta.fields} - self.ATTENDEE_FIELDS
        self.clean_fields(exclude=others)
