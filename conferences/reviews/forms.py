"""Forms of the role pages: the list's filters, declining with a reason, a progress note.
They check the shape of the input only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from conferences.models import Agreement, TaskStatus
from conferences.reviews.selectors import NOT_REPORTED


class RoleFilterForm(forms.Form):
    """The role list's filters (GET): the agreement and the last reported task status."""

    agreement = forms.ChoiceField(
        label=_("Agreement"),
        required=False,
        choices=[("", _("All")), *Agreement.choices],
    )
    task_status = forms.ChoiceField(
        label=_("Task status"),
        required=False,
        choices=[("", _("All")), (NOT_REPORTED, _("Not reported yet")), *TaskStatus.choices],
    )


class DeclineForm(forms.Form):
    """Declining a role: the reason is required (the service says so too)."""

    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Give a reason for declining.")},
    )


class ProgressForm(forms.Form):
    """A progress note and the task status it reports."""

    note = forms.CharField(
        label=_("Progress note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": _("Write what happened.")},
    )
    task_status = forms.ChoiceField(
        label=_("Task status"),
        choices=TaskStatus.choices,
        initial=TaskStatus.IN_PROGRESS,
    )
