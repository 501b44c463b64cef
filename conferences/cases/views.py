"""Web pages of cases: the list, a new case, a case's page, editing a draft, submitting and
withdrawing, and the screening of a text as it is typed.

Each page validates its form, calls the one service or selector the API's view calls (with
the same arguments), and renders. Who may see a case is `visible_case_or_404`'s to say, what
they may do `permissions.rules`' (asked first only to show the buttons, or to answer 403
before validating input); the services check again. Content is read only through
`services.case_detail_read` (and a refused submission's findings, `services.case_submit`),
which records every reading; a write that redirects reads nothing back.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import Throttled

from conferences.cases import selectors, services
from conferences.cases.api import CaseFilter
from conferences.cases.forms import (
    NARRATIVE_LABELS,
    SCREENED_FIELDS,
    CaseFilterForm,
    CaseForm,
    ScreenForm,
    WithdrawForm,
)
from conferences.models import NARRATIVE_FIELDS, Case
from conferences.privacy import services as screening
from conferences.privacy.api import VIEW_NETWORK, CaseScreen
from config.errors import Forbidden
from network.models import Network
from permissions import rules
from permissions.access import get_visible_or_404, require
from web.access import page

PAGE_SIZE = 50

# What the access log says a reading came through (the API's say "GET /cases/{id}/").
VIA_DETAIL = "web GET /cases/{id}/"
VIA_EDIT_FORM = "web GET /cases/{id}/edit/"
VIA_SUBMIT_FINDINGS = "web POST /cases/{id}/submit/ (findings)"
VIA_WITHDRAW = "web POST /cases/{id}/withdraw/"


# --- screening: findings marked in the text ---------------------------------------------------


@dataclass
class Screened:
    """One text's findings as the pages show them: the text with every finding marked, and
    a line per finding (its category in words and the service's masked excerpt, never the
    text found)."""

    field: str
    marked: SafeString
    items: list[dict] = field(default_factory=list)


def marked_text(text: str, findings) -> SafeString:
    """`text`, escaped, with each finding's span wrapped in `<mark class="finding">`. A
    finding inside one already marked (a hidden character within a name) stays inside it."""
    parts, at = [], 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.start < at:
            continue
        parts.append(escape(text[at : finding.start]))
        parts.append(
            format_html(
                '<mark class="finding">{}</mark>',
                text[finding.start : finding.end],
            )
        )
        at = finding.end
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def screened(name: str, text: str, findings) -> Screened:
    return Screened(
        field=name,
        marked=marked_text(text, findings),
        items=[
            {"label": screening.category_label(f.category), "excerpt": f.excerpt} for f in findings
        ],
    )


def _screen_throttle_allows(request) -> bool:
    """Count one screening against the `screen` rate, in the same counter as the API's dry
    run (`CaseScreen`'s throttle and scope)."""
    return all(
        throttle().allow_request(request, CaseScreen) for throttle in CaseScreen.throttle_classes
    )


def _screen_unavailable(request, *, status: int):
    """The findings fragment saying the check did not run (it runs again as one types)."""
    return TemplateResponse(request, "cases/_findings.html", {"unavailable": True}, status=status)


@page
@require_POST
def case_screen(request):
    """Screen one text as it is typed (htmx posts the field and the network): the text with
    its findings marked, and their list. The API's dry run (`screening.case_screen`, same
    network lookup, same throttle); whoever may not screen there gets 403.

    In place (htmx), a check that cannot run now (the rate is spent: 429; the network is not
    one the person sees: 404) answers the findings fragment saying so, with its status: a
    whole refusal page would replace the main content, and with it the form being typed."""
    if not _screen_throttle_allows(request):
        if request.htmx:
            return _screen_unavailable(request, status=429)
        raise Throttled
    name = (request.htmx.trigger_name if request.htmx else None) or request.POST.get("field")
    form = ScreenForm(
        {"network": request.POST.get("network"), "field": name, "text": request.POST.get(name)}
    )
    if not form.is_valid():
        return TemplateResponse(request, "cases/_findings.html", {"invalid": True}, status=400)
    try:
        network = get_visible_or_404(
            Network.objects.all(),
            pk=form.cleaned_data["network"],
            user=request.user,
            view_perm=VIEW_NETWORK,
        )
    except Http404:
        if request.htmx:
            return _screen_unavailable(request, status=404)
        raise
    text = form.cleaned_data["text"]
    findings = screening.case_screen(network=network, fields={name: text}, actor=request.user)
    context = {"screened": screened(name, text, findings) if text else None}
    if request.htmx:
        return TemplateResponse(request, "cases/_findings.html", context)
    context["label"] = CaseForm().fields[name].label
    return TemplateResponse(request, "cases/screen.html", context)


# --- the list ---------------------------------------------------------------------------------


@page
@require_GET
def case_list(request):
    """The cases the person may see (the API's list: facts only), their agency's first,
    filtered and 50 to a page; "new case" for those who may start one."""
    user = request.user
    form = CaseFilterForm(request.GET, fiscal_years=selectors.case_fiscal_years(user))
    cases, status = selectors.cases_for_list(user), 200
    if form.is_valid():
        cases = CaseFilter(form.filters(), queryset=cases).qs
    else:
        cases, status = cases.none(), 400
    context = {
        "form": form,
        "page": Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page")),
        "may_start": bool(selectors.networks_to_start_cases_in(user)),
    }
    return TemplateResponse(request, "cases/list.html", context, status=status)


# --- one case ---------------------------------------------------------------------------------


def _detail_page(request, read: dict, *, withdraw_form=None, status=200):
    """A case's page from its read (`services.case_detail_read`): facts, content or why not,
    and the buttons for what the person may do now (rules and the case's state)."""
    user, case = request.user, read["case"]
    # Why no content: the rule's code (`rules.case_content_answer`), in words in the template.
    refusal = None if read["content"] is not None else read["content_answer"]
    content = None
    if read["content"] is not None:
        content = [(NARRATIVE_LABELS[name], read["content"][name]) for name in NARRATIVE_FIELDS]
    context = {
        "case": case,
        "involved": case.involved_agencies.order_by("name_kana", "name", "id"),
        "content": content,
        "refusal": refusal,
        "may_edit": services.is_editable(case) and rules.may_edit_case(user, case),
        "may_submit": services.may_start(case, "submit") and rules.may_submit_case(user, case),
        "may_withdraw": services.may_start(case, "withdraw")
        and rules.may_withdraw_case(user, case),
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    return TemplateResponse(request, "cases/detail.html", context, status=status)


@page
@require_GET
def case_detail(request, pk):
    """A case's facts, and its content where the person may read it now (recorded)."""
    case = selectors.visible_case_or_404(request.user, pk)
    return _detail_page(
        request, services.case_detail_read(reader=request.user, case=case, via=VIA_DETAIL)
    )


def _form_page(request, form, *, case=None, marked=None, summary=None, status=200):
    """The new case or edit form; `marked`: field → `Screened` to show under each field,
    `summary`: the findings listed at the top (a refused submission)."""
    marked = marked or {}
    rows = [
        {"field": form[name], "screen": name in SCREENED_FIELDS, "screened": marked.get(name)}
        for name, field in form.fields.items()
        if not field.widget.is_hidden
    ]
    context = {
        "form": form,
        "case": case,
        "facts": [row for row in rows if row["field"].name not in NARRATIVE_FIELDS],
        "narratives": [row for row in rows if row["field"].name in NARRATIVE_FIELDS],
        "summary": summary or [],
    }
    return TemplateResponse(request, "cases/form.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def case_new(request):
    """A new draft (`services.case_start`, which checks the person), then its page (the
    redirect shows no content, so nothing is read back or recorded). The network is a
    choice only for a person who may start cases in several."""
    networks = selectors.networks_to_start_cases_in(request.user)
    require(bool(networks), code="not_a_submitting_agency")
    form = CaseForm(
        request.POST or None, networks=networks, agencies=selectors.network_agencies(networks)
    )
    if form.is_bound and form.is_valid():
        try:
            case = services.case_start(
                author=request.user, network=form.cleaned_data["network"], **form.case_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("cases:detail", pk=case.pk)
    return _form_page(request, form, status=400 if form.is_bound else 200)


def _stored_form(case: Case, content: dict) -> CaseForm:
    """The edit form showing the draft as stored (its facts and the content just read)."""
    initial = {name: getattr(case, name) for name in services.FACT_FIELDS}
    initial["involved_agencies"] = [agency.pk for agency in case.involved_agencies.all()]
    initial.update(content)
    return CaseForm(initial=initial, agencies=selectors.network_agencies([case.network]))


@page
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    """Edit a draft (`services.case_update`, which checks the person; the redirect shows no
    content, so nothing is read back or recorded): 404 for whoever does not see the case,
    403 for whoever sees it but does not write it, 409 once it is no longer a draft."""
    user = request.user
    case = selectors.visible_case_or_404(user, pk)
    require(rules.may_edit_case(user, case), code="not_your_case")
    services.require_editable(case)
    if request.method == "POST":
        form = CaseForm(request.POST, agencies=selectors.network_agencies([case.network]))
        if form.is_valid():
            try:
                services.case_update(actor=user, case=case, **form.case_fields())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("cases:detail", pk=case.pk)
        return _form_page(request, form, case=case, status=400)
    read = services.case_detail_read(reader=user, case=case, via=VIA_EDIT_FORM)
    if read["content"] is None:
        raise Forbidden("permission_denied", _("You may not read this case's content now."))
    return _form_page(request, _stored_form(case, read["content"]), case=case)


@page
@require_POST
def case_submit(request, pk):
    """Submit a draft (`services.case_submit`, which screens it). Refused for personal
    data: the edit form again (422) with the draft as stored, every finding marked in its
    field and listed at the top. The service's one recorded reading of the findings covers
    the draft shown (`show_draft`): one record for the response."""
    user = request.user
    case = selectors.visible_case_or_404(user, pk)
    require(rules.may_submit_case(user, case), code="not_your_case")
    try:
        services.case_submit(actor=user, case=case, via=VIA_SUBMIT_FINDINGS, show_draft=True)
    except services.PersonalDataFound as refusal:
        if refusal.draft is None:
            raise
        texts = {"title": case.title, **refusal.draft}
        by_field = defaultdict(list)
        for finding in refusal.findings:
            by_field[finding.field].append(finding)
        form = _stored_form(case, refusal.draft)
        summary = [
            {
                "field": finding.field,
                "id": form[finding.field].auto_id,
                "field_label": form.fields[finding.field].label,
                "label": screening.category_label(finding.category),
                "excerpt": finding.excerpt,
            }
            for finding in refusal.findings
        ]
        marked = {name: screened(name, texts[name], found) for name, found in by_field.items()}
        return _form_page(request, form, case=case, marked=marked, summary=summary, status=422)
    messages.success(request, _("The case is submitted."))
    return redirect("cases:detail", pk=case.pk)


@page
@require_POST
def case_withdraw(request, pk):
    """Withdraw a case, with a reason (`services.case_withdraw`); a state that forbids it
    is the rule's 409 page."""
    user = request.user
    case = selectors.visible_case_or_404(user, pk)
    require(rules.may_withdraw_case(user, case), code="not_your_case")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        read = services.case_detail_read(reader=user, case=case, via=VIA_WITHDRAW)
        return _detail_page(request, read, withdraw_form=form, status=400)
    services.case_withdraw(actor=user, case=case, reason=form.cleaned_data["reason"])
    messages.success(request, _("The case is withdrawn."))
    return redirect("cases:detail", pk=case.pk)
