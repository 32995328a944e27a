from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
