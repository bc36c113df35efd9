"""HTML forms: the public page's check and filter, composing an announcement, a resident's
notification settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from misto.notifications import services
from misto.notifications.models import Kind, OutageType, Target


def topic_choices() -> list[tuple[str, str]]:
    return [(t.code, t.title()) for t in services.active_topics()]


def district_choices(language: str | None = None) -> list[tuple[str, str]]:
    return sorted(((code, name) for code, name in services.district_codes(language).items()),
                  key=lambda item: item[1])


class NoticesForm(forms.Form):
    """The public page's two questions (a GET form, so a result can be bookmarked or
    shared): is this place affected by the current outages, and which district to show."""

    place = forms.CharField(
        label=_("Your address or landmark number"), max_length=200, required=False,
        help_text=_("e.g. Шевченка 1, or the number on a landmark by your door (12-0001)"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "street-address",
                                      "enterkeyhint": "search"}))
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, language: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All districts")), *district_choices(language)]


class LocalDateTime(forms.DateTimeInput):
    input_type = "datetime-local"


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.ANNOUNCEMENT)
    outage_type = forms.ChoiceField(label=_("Outage type"), required=False,
                                    choices=[("", "—"), *OutageType.choices])
    emergency = forms.BooleanField(label=_("Emergency outage"), required=False)
    urgent = forms.BooleanField(label=_("Urgent: deliver during quiet hours too"),
                                required=False)
    title_uk = forms.CharField(label=_("Title (Ukrainian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_uk = forms.CharField(label=_("Text (Ukrainian)"), widget=forms.Textarea(
        attrs={"rows": 5}), required=False)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(
        attrs={"rows": 5}), required=False)
    topics = forms.MultipleChoiceField(label=_("Topics"), widget=forms.CheckboxSelectMultiple)
    target = forms.ChoiceField(label=_("Who is it for"), choices=Target.choices,
                               widget=forms.RadioSelect, initial=Target.DISTRICTS)
    districts = forms.MultipleChoiceField(label=_("Districts"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    area = forms.CharField(label=_("Area (GeoJSON polygon; draw it on the map)"),
                           required=False, widget=forms.Textarea(attrs={"rows": 3}))
    buildings = forms.CharField(label=_("Building ids (from the twin), comma-separated"),
                                required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), required=False,
                                    widget=LocalDateTime)
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False, widget=LocalDateTime)
    publish_at = forms.DateTimeField(label=_("Publish at (empty: now)"), required=False,
                                     widget=LocalDateTime)
    expires_at = forms.DateTimeField(label=_("Expires at"), required=False,
                                     widget=LocalDateTime)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topics"]
        district_field = self.fields["districts"]
        assert isinstance(topic_field, forms.ChoiceField)
        assert isinstance(district_field, forms.ChoiceField)
        topic_field.choices = topic_choices()
        district_field.choices = district_choices()

    def clean_buildings(self) -> list[int]:
        text = self.cleaned_data.get("buildings") or ""
        try:
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError as error:
            raise forms.ValidationError(_("Building ids are whole numbers.")) from error

    def draft(self) -> services.Draft:
        data = dict(self.cleaned_data)
        data["area"] = data.get("area") or None
        return services.Draft(**data)


class HomeForm(forms.Form):
    address = forms.CharField(label=_("Home address"), max_length=200,
                              help_text=_("Street and house number, e.g. Шевченка 12"))


class SubscriptionsForm(forms.Form):
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    districts = forms.MultipleChoiceField(label=_("Districts"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    city_wide = forms.BooleanField(label=_("The whole city"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topics"]
        district_field = self.fields["districts"]
        assert isinstance(topic_field, forms.ChoiceField)
        assert isinstance(district_field, forms.ChoiceField)
        topic_field.choices = topic_choices()
        district_field.choices = district_choices()


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("E-mail"), required=False)
    push_enabled = forms.BooleanField(label=_("Web Push (this browser)"), required=False)
    sms_enabled = forms.BooleanField(label=_("SMS"), required=False)
    telegram_enabled = forms.BooleanField(label=_("Telegram"), required=False)
    viber_enabled = forms.BooleanField(label=_("Viber"), required=False)
    report_updates = forms.BooleanField(label=_("Updates on reports I follow"),
                                        required=False)
    phone = forms.CharField(label=_("Phone for SMS"), max_length=20, required=False)
    telegram = forms.CharField(label=_("Telegram chat id"), max_length=64, required=False)
    viber = forms.CharField(label=_("Viber id"), max_length=64, required=False)
    quiet_start = forms.TimeField(label=_("Quiet hours from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("Quiet hours until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}))
    language = forms.ChoiceField(label=_("Language of messages"),
                                 choices=[("uk", "Українська"), ("en", "English")])
