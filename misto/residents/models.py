"""The territorial-community register: people, addresses, households, benefits, history.

Personal fields are :class:`EncryptedTextField` (Fernet tokens in the database); lookups go
through blind indexes (``*_index``). What stays in clear text is what the platform needs to
route and scope work without reading anyone's data: the district code of the registered
address, the twin address point's id, verification level, dates of changes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from misto.core.config import env_str
from misto.residents.crypto import EncryptedTextField


class Verification(models.TextChoices):
    SELF = "self", _("self-registered")
    PROVIDER = "provider", _("verified by an identity provider")
    CLERK = "clerk", _("verified by a clerk")


VERIFICATION_RANK = {Verification.SELF: 0, Verification.PROVIDER: 1, Verification.CLERK: 2}


class Person(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="person", verbose_name=_("account"),
    )
    last_name = EncryptedTextField(_("last name"))
    first_name = EncryptedTextField(_("first name"))
    patronymic = EncryptedTextField(_("patronymic"), blank=True)
    birth_date = EncryptedTextField(_("date of birth"), help_text="YYYY-MM-DD")
    rnokpp = EncryptedTextField(_("RNOKPP (tax number)"), blank=True)
    rnokpp_index = models.CharField(max_length=64, blank=True, db_index=True)
    document = EncryptedTextField(
        _("identity document"), blank=True,
        help_text=_("Type and number, for a person without an RNOKPP."),
    )
    document_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    # Registered address: a twin address point, its district's KATOTTG code (clear, for
    # scope), the address text (encrypted).
    address = EncryptedTextField(_("registered address"), blank=True)
    address_point_id = models.BigIntegerField(_("twin address point"), null=True, blank=True)
    district = models.CharField(_("district code"), max_length=64, blank=True, db_index=True)
    declared_address = EncryptedTextField(_("declared residence"), blank=True)
    declared_point_id = models.BigIntegerField(null=True, blank=True)
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices,
        default=Verification.SELF,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["rnokpp_index"], condition=~models.Q(rnokpp_index=""),
                name="one_person_per_rnokpp",
            ),
            models.UniqueConstraint(
                fields=["document_index"], condition=~models.Q(document_index=""),
                name="one_person_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"person {self.uuid}"

    # The scope protocol of misto.core.permissions.can.
    @property
    def scope_department(self) -> str:
        return env_str("MISTO_REGISTER_DEPARTMENT", "cnap")

    @property
    def scope_district(self) -> str | None:
        return self.district or None

    @property
    def scope_owner_id(self) -> int | None:
        return self.user_id

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic)
                        if part)


class HouseholdLink(models.Model):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        OTHER = "other", _("other household member")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household")
    member = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "member"],
                                               name="one_link_per_pair")]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.member_id} ({self.relation})"


class BenefitCategory(models.Model):
    """A configurable benefit category: pensioner, person with disability, IDP..."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("benefit category")
        verbose_name_plural = _("benefit categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def title(self, language: str | None) -> str:
        return self.title_en if (language or "").startswith("en") else self.title_uk


class PersonBenefit(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="benefits")
    category = models.ForeignKey(BenefitCategory, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Which document proves it (type, number, issuer): personal, so encrypted.
    document = EncryptedTextField(_("supporting document"))

    def __str__(self) -> str:
        return f"{self.person_id}: {self.category_id}"


class PersonChange(models.Model):
    """One version of a person: who changed it, when, on what basis, and what it became."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    fields = models.JSONField(default=list)  # names of the changed fields only
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    basis = EncryptedTextField(_("basis"))
    snapshot = EncryptedTextField()  # JSON of the person after the change
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person", "version"]
        constraints = [models.UniqueConstraint(fields=["person", "version"],
                                               name="one_change_per_version")]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.version} {self.action}"


class AccessLogEntry(models.Model):
    """A read of a person's personal data by someone other than that person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200)  # role and department, kept if deleted
    fields = models.JSONField(default=list)
    reason = models.TextField()
    channel = models.CharField(max_length=16, default="web")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_label} read {self.person_id} at {self.at:%Y-%m-%d %H:%M}"


class CorrectionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("request", "pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=32)
    new_value = EncryptedTextField(_("correct value"))
    comment = EncryptedTextField(_("comment"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"correction {self.pk} ({self.status})"

    @property
    def field_label(self) -> str:
        field = Person._meta.get_field(self.field)
        return str(getattr(field, "verbose_name", self.field))

    @property
    def scope_department(self) -> str:
        return self.person.scope_department

    @property
    def scope_district(self) -> str | None:
        return self.person.scope_district


class ExternalIdentity(models.Model):
    """An account at an OpenID provider (its ``sub``) linked to a Misto user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="identities")
    provider = models.CharField(max_length=40)
    subject_index = models.CharField(max_length=64)  # blind index of the provider's sub
    # For a code account (provider ``email`` or ``sms``): the address itself, kept only once
    # the resident confirmed it to receive updates there (following a report without an
    # account); empty after a plain sign-in. Encrypted like the register's fields.
    contact = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject_index"],
                                               name="one_user_per_identity")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.user_id}"


class StaffTotp(models.Model):
    """A staff member's TOTP secret (RFC 6238); password sign-in then also needs a code."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="totp")
    secret = EncryptedTextField()
    confirmed = models.BooleanField(default=False)
    last_counter = models.BigIntegerField(default=0)  # a code is accepted once

    def __str__(self) -> str:
        return f"totp {self.user_id}"


class UserSession(models.Model):
    """A signed-in session of a user, so the cabinet can list and end them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    method = models.CharField(max_length=40)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of {self.user_id}"


class Extract(models.Model):
    """An electronic extract from the register, checkable by its code without personal data."""

    code = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="extracts")
    kind = models.CharField(max_length=32, default="registered_address")
    district = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField()
    sha256 = models.CharField(max_length=64)  # of the PDF file as issued

    def __str__(self) -> str:
        return f"extract {self.code}"

    def public(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "issued_at": self.issued_at.isoformat(),
                "valid_until": self.valid_until.isoformat(), "sha256": self.sha256}


class Throttle(models.Model):
    """A counter of failed sign-ins or of code requests for one (scope, who, where).

    ``key`` is a keyed HMAC of the scope, the user name or contact address and the client
    address (:mod:`misto.residents.throttle`): the table never says who tried from where.
    """

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"throttle {self.key[:8]}"


class SignInCode(models.Model):
    """A one-time code sent to an e-mail address or a phone to sign in (level *basic*).

    Only an HMAC of the code is kept (``code_hash``) and the contact only as a blind index:
    the table cannot sign anyone in or say whose address it was. ``token`` is the public
    handle of the entry form; a code is good for ``expires_at``, once, and a few tries.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    # Only for a code that confirms a contact for updates: the address (encrypted), moved to
    # the account's identity when the code is right and cleared when the code is spent.
    contact = EncryptedTextField(blank=True, default="")

    def __str__(self) -> str:
        return f"sign-in code {self.token}"


class LocalMessage(models.Model):
    """An e-mail or SMS kept for the local outbox page instead of being sent (never in
    production: ``/cabinet/dev-outbox/`` answers 404 there and nothing writes here)."""

    channel = models.CharField(max_length=16)
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk}"


class Passkey(models.Model):
    """A WebAuthn credential a resident registered in the cabinet; signing in with it
    gives the level of the session that registered it (``level``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="passkeys")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    level = models.CharField(max_length=16)
    name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"passkey {self.pk} of {self.user_id}"
