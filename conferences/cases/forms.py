"""Forms of the case pages: the list's filters, a case's facts and narratives, the reason for
withdrawing, and a text to screen. They check the shape of the input only; the rules are the
services'."""

from django import forms
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from conferences.cases.serializers import NARRATIVE_MAX
from conferences.models import NARRATIVE_FIELDS, AgeBand, Case, CaseStatus, WithdrawalDuration
from config.inputs import parse_id
from network.fiscal import fiscal_year_label
from network.models import Network

# The five narratives' labels in words, by field (`conferences.models.NARRATIVE_FIELDS`):
# the one place they are named, for every page that shows a case's content (the case pages,
# a meeting's agenda). Import it from here rather than copying it.
NARRATIVE_LABELS = {
    "summary": _("Summary"),
    "history": _("Course so far"),  # 経過 (not "History", a record's changes elsewhere)
    "current_support": _("Current support"),
    "difficulties": _("Difficulties in support"),
    "questions": _("Questions for the meeting"),
}
# The texts screened for personal data as they are typed (and on submission).
SCREENED_FIELDS = ("title", *NARRATIVE_FIELDS)
# After a pause in typing, the text is screened (htmx's trigger).
SCREEN_TRIGGER = "input changed delay:800ms"
REASON_MAX = 2000  # the API's ReasonSerializer


def _label(name: str):
    return capfirst(Case._meta.get_field(name).verbose_name)


def _any(choices) -> list:
    return [("", _("All")), *choices]


class _Form(forms.Form):
    """Labels without a colon after them (the design system's forms have none)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of objects by id, each value first checked to be an id
    (`config.inputs.parse_id`): anything else is the field's invalid-choice error before
    any query (an integer past 64 bits would otherwise stop the database, a 500)."""

    def _check_values(self, value):
        for item in value:
            try:
                parse_id(item)
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                ) from None
        return super()._check_values(value)


class CaseFilterForm(_Form):
    """The case list's filters (GET): each empty means all."""

    status = forms.ChoiceField(label=_label("status"), choices=_any(CaseStatus.choices))
    fiscal_year = forms.TypedChoiceField(
        label=_label("fiscal_year"), coerce=int, empty_value=None, choices=()
    )
    age_band = forms.ChoiceField(label=_label("age_band"), choices=_any(AgeBand.choices))
    withdrawal_duration = forms.ChoiceField(
        label=_label("withdrawal_duration"), choices=_any(WithdrawalDuration.choices)
    )

    def __init__(self, *args, fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["fiscal_year"].choices = _any(
            (year, fiscal_year_label(year)) for year in fiscal_years
        )

    def filters(self) -> dict:
        """The chosen filters, as the API's `CaseFilter` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class CaseForm(_Form):
    """A case's facts (bands as the model's choices) and its five narratives; `network` only
    for a new case, shown as a choice only to a person who may start cases in several.
    Every screened text is screened after a pause in typing (htmx, `cases:screen`)."""

    network = forms.ModelChoiceField(label=_label("network"), queryset=Network.objects.none())
    title = Case._meta.get_field("title").formfield()
    age_band = Case._meta.get_field("age_band").formfield()
    gender = Case._meta.get_field("gender").formfield()
    household = Case._meta.get_field("household").formfield()
    withdrawal_duration = Case._meta.get_field("withdrawal_duration").formfield()
    consent_basis = Case._meta.get_field("consent_basis").formfield()
    involved_agencies = IdsChoiceField(
        label=_label("involved_agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, networks=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NARRATIVE_FIELDS:
            self.fields[name] = forms.CharField(
                label=NARRATIVE_LABELS[name],
                required=False,
                strip=False,
                max_length=NARRATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        if networks is None:
            del self.fields["network"]
        else:
            self.fields["network"].queryset = Network.objects.filter(
                pk__in=[network.pk for network in networks]
            )
            if len(networks) == 1:
                self.fields["network"].widget = forms.HiddenInput()
                self.fields["network"].initial = networks[0].pk
        if agencies is not None:
            self.fields["involved_agencies"].queryset = agencies
        screen = reverse("cases:screen")
        for name in SCREENED_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": screen,
                    "hx-trigger": SCREEN_TRIGGER,
                    "hx-target": f"#findings-{name}",
                    "hx-swap": "innerHTML",
                    # Only this text and the network go: the screening needs nothing else.
                    "hx-params": f"network,{name}",
                }
            )

    def case_fields(self) -> dict:
        """What the services take: the cleaned fields, without `network`."""
        return {name: value for name, value in self.cleaned_data.items() if name != "network"}


class WithdrawForm(_Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScreenForm(forms.Form):
    """One text to screen: the network's id (as the API's dry run takes it), which field,
    and its text."""

    network = forms.CharField(max_length=20)
    field = forms.ChoiceField(choices=[(name, name) for name in SCREENED_FIELDS])
    text = forms.CharField(required=False, strip=False, max_length=NARRATIVE_MAX)
