from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")


STAFF_ROLES = {Role.ADMIN, Role.MANAGER, Role.AGENT}


class Tier(models.IntegerChoices):
    L1 = 1, _("L1 front line")
    L2 = 2, _("L2 technical")
    L3 = 3, _("L3 specialists")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    domains = models.JSONField(_("email domains"), default=list, blank=True)
    shared_tickets = models.BooleanField(
        _("members see the organization's tickets"),
        default=False,
        help_text=_("When on, every member of the organization can read and reply to its tickets."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in or writes to us: staff (admin, manager, agent) and customers."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    plan = models.CharField(_("plan"), max_length=64, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # email and password are all createsuperuser asks for

    class Meta:
        ordering = ["name", "email"]
        indexes = [models.Index(fields=["role", "name"]), models.Index(fields=["organization", "name"])]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def first_name(self) -> str:
        return (self.name or self.email.split("@")[0]).split()[0]

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:  # Django's own checks (e.g. admin site) read this name
        return self.is_admin


class CustomerEmail(models.Model):
    """Further addresses of one person, so mail from any of them joins the same history."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="extra_emails")
    email = models.EmailField(max_length=254, unique=True)

    def __str__(self) -> str:
        return self.email


class Team(models.Model):
    class Visibility(models.TextChoices):
        TEAM = "team", _("Members see the team's tickets")
        ALL = "all", _("Members see all tickets")

    name = models.CharField(_("name"), max_length=120, unique=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.L1)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.TEAM
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("team")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    PREFIX = "awn_"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
