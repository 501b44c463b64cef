"""Forms of the meetings' web pages: an answer to an invitation, and what to do with one's
calendar feed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from conferences.models import Invitation


class AnswerForm(forms.Form):
    """The answer the invited person gives (the buttons send it; `invitation_answer` checks
    it again)."""

    response = forms.ChoiceField(label=_("Your answer"), choices=Invitation.Response.choices)


class FeedForm(forms.Form):
    """Renew the feed's address (a new secret; the old address stops working) or revoke it."""

    RENEW = "renew"
    REVOKE = "revoke"

    action = forms.ChoiceField(
        label=_("Action"), choices=[(RENEW, _("Renew")), (REVOKE, _("Revoke"))]
    )
