"""Tables of the notifications module.

The hot table is :class:`Message` (one inbox row per resident and announcement, written
set-based by the fan-out); :class:`Delivery` is one row per message and outward channel.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from misto.core.crypto import EncryptedTextField


class Topic(models.Model):
    """A subject residents subscribe to: housing and utilities, education, traffic..."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Subscribed automatically when a resident sets their home (sensible defaults).
    default = models.BooleanField(_("subscribed by default"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    def title(self, language: str | None = None) -> str:
        lang = language or get_language() or "uk"
        return self.title_en if lang.startswith("en") and self.title_en else self.title_uk


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PUSH = "push", _("Web Push")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    VIBER = "viber", _("Viber")


GATEWAY_CHANNELS = (Channel.SMS, Channel.TELEGRAM, Channel.VIBER)


class Profile(models.Model):
    """A resident's notification settings: home, channels, quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_profile")
    # Personal: encrypted at rest like the register's fields (docs/notifications.md).
    home_label = EncryptedTextField(_("home address"), blank=True)
    home_building_id = models.BigIntegerField(_("home building"), null=True, blank=True,
                                              db_index=True)
    home_district = models.CharField(_("home district"), max_length=32, blank=True)
    email_enabled = models.BooleanField(_("by e-mail"), default=True)
    push_enabled = models.BooleanField(_("by Web Push"), default=True)
    sms_enabled = models.BooleanField(_("by SMS"), default=False)
    telegram_enabled = models.BooleanField(_("by Telegram"), default=True)
    viber_enabled = models.BooleanField(_("by Viber"), default=True)
    report_updates = models.BooleanField(_("updates on my reports"), default=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="uk")

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"profile {self.user_id}"


class Subscription(models.Model):
    """A resident follows a topic in a district, in a drawn area, or city-wide (neither)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    district = models.CharField(_("district code"), max_length=32, blank=True)
    area = models.PolygonField(_("area"), srid=4326, null=True, blank=True, spatial_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [
            models.Index(fields=["topic", "user"], name="notif_sub_topic_user"),
            models.Index(fields=["user"], name="notif_sub_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.topic_id}:{self.district or 'area'}"


class ChannelAddress(models.Model):
    """Where a gateway channel reaches a resident: a phone number or a messenger chat id.

    The address is encrypted at rest: only the sender reads it, by user and channel, so no
    blind index is needed (nothing looks a resident up by their phone or chat id).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_addresses")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = EncryptedTextField(_("address"))  # at most 200 characters (services)

    class Meta:
        verbose_name = _("channel address")
        verbose_name_plural = _("channel addresses")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notif_address_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.channel}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (endpoint and keys from PushManager.subscribe)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="push_subscriptions")
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push {self.user_id}"


class Kind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("announcement")
    OUTAGE = "outage", _("outage")


class OutageType(models.TextChoices):
    WATER = "water", _("water")
    HEATING = "heating", _("heating")
    POWER = "power", _("power")
    GAS = "gas", _("gas")
    OTHER = "other", _("other")


class Target(models.TextChoices):
    CITY = "city", _("the whole city")
    DISTRICTS = "districts", _("districts")
    AREA = "area", _("an area on the map")
    BUILDINGS = "buildings", _("a list of buildings")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("waiting for approval")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Announcement(models.Model):
    """A message from the city to residents; an outage is one with a type, start and end."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.ANNOUNCEMENT)
    outage_type = models.CharField(_("outage type"), max_length=16, choices=OutageType.choices,
                                   blank=True)
    emergency = models.BooleanField(pgettext_lazy("outage", "emergency"), default=False)
    urgent = models.BooleanField(_("urgent (ignores quiet hours)"), default=False)
    title_uk = models.CharField(pgettext_lazy("announcement", "title (Ukrainian)"), max_length=200)
    title_en = models.CharField(pgettext_lazy("announcement", "title (English)"), max_length=200,
                                blank=True)
    body_uk = models.TextField(_("text (Ukrainian)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    topics = models.ManyToManyField(Topic, related_name="announcements")
    target = models.CharField(_("target"), max_length=16, choices=Target.choices)
    districts = models.JSONField(_("districts"), default=list, blank=True)
    # The target as geometry: the drawn polygon, the districts' union, or the buildings'.
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    building_count = models.PositiveIntegerField(_("buildings affected"), default=0)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    publish_at = models.DateTimeField(_("publish at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set when an event created it (e.g. "iot:<event uuid>"): the same event never twice.
    source_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "publish_at"], name="notif_ann_status")]

    def __str__(self) -> str:
        return self.title_uk

    def title(self, language: str | None = None) -> str:
        lang = language or get_language() or "uk"
        return self.title_en if lang.startswith("en") and self.title_en else self.title_uk

    def body(self, language: str | None = None) -> str:
        lang = language or get_language() or "uk"
        return self.body_en if lang.startswith("en") and self.body_en else self.body_uk


class AffectedBuilding(models.Model):
    """A twin building an announcement covers (derived from its area, or listed)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="buildings")
    building_id = models.BigIntegerField()
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "building_id"],
                                    name="notif_building_once"),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id}:{self.building_id}"


class FanOutStage(models.TextChoices):
    INBOX = "inbox", _("writing inbox rows")
    DELIVERIES = "deliveries", _("planning channel deliveries")
    DONE = "done", _("done")


class FanOut(models.Model):
    """The progress of one announcement's fan-out: crash-safe, resumable, idempotent.

    The work is cut into parts (:class:`FanOutPart`, ranges of user ids). A part's rows commit
    together with its ``done`` mark, so a process killed at any instant leaves either the
    whole part or none of it, and any worker goes on with the parts not done; the unique key
    on (announcement, user) makes a repeat harmless. Workers take parts with
    ``SELECT ... FOR UPDATE SKIP LOCKED``, so several can share one fan-out.
    """

    announcement = models.OneToOneField(Announcement, on_delete=models.CASCADE,
                                        related_name="fanout")
    stage = models.CharField(max_length=16, choices=FanOutStage.choices,
                             default=FanOutStage.INBOX)
    upper = models.BigIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["stage"], name="notif_fanout_stage")]

    def __str__(self) -> str:
        return f"fan-out {self.announcement_id} {self.stage}"


class FanOutPart(models.Model):
    """One range of user ids (low, high] of a fan-out stage."""

    fanout = models.ForeignKey(FanOut, on_delete=models.CASCADE, related_name="parts")
    stage = models.CharField(max_length=16, choices=FanOutStage.choices)
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    done = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fanout", "stage", "low"], name="notif_part_once"),
        ]
        indexes = [models.Index(fields=["fanout", "done"], name="notif_part_todo")]

    def __str__(self) -> str:
        return f"{self.fanout_id} {self.stage} ({self.low}, {self.high}]"


class Message(models.Model):
    """One inbox row: an announcement, or a personal notice made from an event.

    The hot table of the fan-out (a million rows per city-wide message). Its two foreign keys
    are kept by the ORM (cascading deletes go through Django's collector) but not by database
    triggers: the per-row trigger cost more than the insert itself (docs/notifications.md).
    Their single-column indexes are left out too; the unique and inbox indexes lead with them.
    """

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="messages",
                                     db_constraint=False, db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_messages",
                             db_constraint=False, db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    urgent = models.BooleanField(default=False)
    # For personal notices: the event's uuid (de-duplication) and what to show.
    source_key = models.CharField(max_length=80, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="notif_message_once",
                                    condition=Q(announcement__isnull=False)),
            models.UniqueConstraint(fields=["source_key", "user"], name="notif_notice_once",
                                    condition=Q(source_key__isnull=False)),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notif_inbox")]

    def __str__(self) -> str:
        return f"message {self.pk} to {self.user_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    DEAD = "dead", _("failed for good")
    SKIPPED = "skipped", _("skipped")


class Delivery(models.Model):
    """One message on one outward channel: status, attempts, the provider's reference."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    provider_ref = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="notif_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["status", "channel", "next_attempt_at"], name="notif_due"),
            models.Index(fields=["channel", "sent_at"], name="notif_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id} {self.status}"


class EmergencyNotice(models.Model):
    """What the public is told about an emergency the situation centre declared.

    Made from ``situation.EmergencyDeclared`` / ``EmergencyEnded`` (the events carry only
    public facts); one row per emergency, so a redelivered event finds it and sends nothing.
    It drives the site-wide banner (while ``ended_at`` is empty) and the public page.
    """

    emergency_id = models.BigIntegerField(_("emergency"), unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    districts = models.JSONField(_("districts"), default=list, blank=True)
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    # Empty only on a row the end made before the declaration arrived (never shown).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The urgent announcements that told the residents of the area (none when no topic
    # exists to reach anybody by).
    declared_announcement = models.OneToOneField(
        Announcement, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="emergency_declared")
    end_announcement = models.OneToOneField(
        Announcement, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="emergency_ended")

    class Meta:
        verbose_name = _("emergency notice")
        verbose_name_plural = _("emergency notices")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["ended_at"], name="notif_emergency_active")]

    def __str__(self) -> str:
        return self.title or f"emergency {self.emergency_id}"

    @property
    def active(self) -> bool:
        return self.started_at is not None and self.ended_at is None
