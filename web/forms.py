"""Forms of the shell's own pages: the pledge and the second factor's switch-off."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PledgeForm(forms.Form):
    """Sign one network's pledge, in the wording the person was shown (`text_version`)."""

    network = forms.IntegerField(widget=forms.HiddenInput)
    text_version = forms.IntegerField(widget=forms.HiddenInput)


class CodeForm(forms.Form):
    """A current code (or a recovery code) proving the person holds the second factor."""

    code = forms.CharField(
        label=_("Code from your authenticator app (or a recovery code)"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
