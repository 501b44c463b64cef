"""Web pages of roles (役割分担): the roles a person follows across cases, and one role with
its answer (agree, decline with a reason), its progress notes and its history.

Each page validates its form, calls the service the API's endpoint calls (the same function,
the same arguments, `actor=`), and renders. A role whose case the person may not see is 404
(`visible_role_or_404`). Case content is read only through the read services, which check
the reader, unseal and record the reading, and only what the response shows, once
(`_render`): the whole page its tasks (`services.role_read`) and progress notes
(`services.progress_read`), the progress region its notes, the answer region nothing (its
facts and the history are facts only); a redirect reads nothing. Whether the state lets a
role be answered or progress be recorded is the services' predicates
(`services.role_answers_open`, `services.progress_open`), passed to the templates as
booleans. Refusals (403, 409) are raised by the services and shown as pages by
`web.middleware.RefusalPageMiddleware`.

In place (htmx): answering swaps the answer's region, a progress note the progress region,
and both bring the history along out of band. The shell makes htmx swap 4xx answers into
the request's target too, so a form error comes back as the region with the error in words
and status 400, a refusal as the region with the rule's message and its status (403, 409);
without JavaScript the same request is an ordinary POST answered by a redirect, the form
again with 400, or the refusal's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from conferences.models import Agreement
from conferences.reviews import selectors, services
from conferences.reviews.forms import DeclineForm, ProgressForm, RoleFilterForm
from config.errors import Conflict, Forbidden
from permissions import rules
from permissions.access import require
from web.access import page

PAGE_SIZE = 50

AGREED = _("You agreed to this role.")
DECLINED = _("You declined this role.")
RECORDED = _("Your progress note is recorded.")


@page
@require_GET
def role_list(request):
    """The roles the person follows (`selectors.followed_roles`: their agency's; for a
    coordinator, their networks'), filtered by agreement and task status, facts only. A
    filter that is not a choice: the form again with its error, no rows, 400 (as the case
    list answers)."""
    form = RoleFilterForm(request.GET)
    rows, status = selectors.followed_roles(request.user), 200
    if form.is_valid():
        rows = selectors.followed_roles(request.user, **form.cleaned_data)
    else:
        rows, status = rows.none(), 400
    context = {
        "form": form,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "show_agency": rules.coordinates_anywhere(request.user),
    }
    return TemplateResponse(request, "roles/list.html", context, status=status)


PAGE = "roles/detail.html"
ANSWER = "roles/_answer_response.html"
PROGRESS = "roles/_progress_response.html"


def _render(request, role, template: str = PAGE, *, status: int = 200, **extra):
    """`template` for `role` (whole page, or under htmx the region `template`), reading
    (audited) exactly the case content it shows, once: the page the role's tasks and its
    progress notes, the progress region the notes, the answer region nothing. The forms are
    shown as the rules (`permissions.rules`) and the role's state (the services'
    predicates) allow."""
    user = request.user
    if not request.htmx:
        template = PAGE
    if template == PAGE:
        role = services.role_read(reader=user, role=role, via="web GET /roles/{id}/")
    notes = None
    if template != ANSWER and rules.may_read_progress(user, role):
        notes = services.progress_read(reader=user, role=role, via="web GET /roles/{id}/progress/")
    may_answer = rules.may_answer_role(user, role)
    answers_open = services.role_answers_open(role)
    may_record = rules.may_record_progress(user, role)
    context = {
        "role": role,
        "case": role.review.case,
        "notes": notes,
        "history": selectors.role_history(role),
        "answer_forms": may_answer and answers_open,
        "agree_button": may_answer and answers_open and role.agreement != Agreement.AGREED,
        "answers_closed": may_answer and not answers_open,
        "progress_form_shown": may_record and services.progress_open(role),
        "progress_waits": may_record and services.review_open(role.review),
        "decline_form": DeclineForm(),
        "progress_form": ProgressForm(),
    }
    context.update(extra)
    return TemplateResponse(request, template, context, status=status)


@page
@require_GET
def role_detail(request, pk):
    """One role: its facts, its tasks (`services.role_read`: its readers, recorded), its
    answer with the buttons to answer, its progress and its history."""
    return _render(request, selectors.visible_role_or_404(request.user, pk))


def _refused(request, role_pk, error, template: str, **extra):
    """Under htmx, a service's refusal (403, 409) shown in the region with its status;
    otherwise the refusal's page (`web.middleware`)."""
    if not request.htmx:
        raise error
    role = selectors.visible_role_or_404(request.user, role_pk)
    return _render(request, role, template, status=error.status_code, refusal=error, **extra)


@page
@require_POST
def role_agree(request, pk):
    """Agree to the role: a designated person of its agency (`services.role_agree`, the
    writer `POST /roles/{id}/agree/` calls, which checks the actor); the answer region
    shows no content, so nothing is read."""
    role = selectors.visible_role_or_404(request.user, pk)
    try:
        role = services.role_agree(actor=request.user, role=role)
    except (Forbidden, Conflict) as error:
        return _refused(request, role.pk, error, ANSWER)
    return _answered(request, role, AGREED)


def _answered(request, role, message):
    if request.htmx:
        return _render(request, role, ANSWER, answer_message=message)
    messages.success(request, message)
    return redirect("roles:detail", pk=role.pk)


@page
@require_POST
def role_decline(request, pk):
    """Decline the role with a reason: a designated person of its agency
    (`services.role_decline`, as `POST /roles/{id}/decline/`). Without a reason, the form
    again with the error on the field (400), after the same 403 as the API's."""
    user = request.user
    role = selectors.visible_role_or_404(user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            role = services.role_decline(actor=user, role=role, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        except (Forbidden, Conflict) as error:
            return _refused(request, role.pk, error, ANSWER, decline_form=form)
        else:
            return _answered(request, role, DECLINED)
    # 403 before the input is judged, as the API answers.
    require(rules.may_answer_role(user, role), code="not_your_agency")
    return _render(request, role, ANSWER, status=400, decline_form=form)


@page
@require_POST
def role_progress(request, pk):
    """Record a progress note and the task status it reports: the role's agency and the
    coordinators, once the review is final (`services.progress_add`, the writer
    `POST /roles/{id}/progress/` calls, which checks the actor). Under htmx the progress
    region shows the notes, read once."""
    user = request.user
    role = selectors.visible_role_or_404(user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.progress_add(actor=user, role=role, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except (Forbidden, Conflict) as error:
            return _refused(request, role.pk, error, PROGRESS, progress_form=form)
        else:
            if not request.htmx:
                messages.success(request, RECORDED)
                return redirect("roles:detail", pk=role.pk)
            role = selectors.visible_role_or_404(user, role.pk)
            return _render(request, role, PROGRESS, progress_message=RECORDED)
    # 403 before the input is judged, as the API answers.
    require(rules.may_record_progress(user, role), code="not_the_role_holder")
    return _render(request, role, PROGRESS, status=400, progress_form=form)
