"""Web pages of roles (役割分担): the roles a person follows across cases, and one role with
its answer (agree, decline with a reason), its progress notes and its history.

Each page validates its form, calls the service the API's endpoint calls (the same function,
the same arguments, `actor=`), and renders. A role whose case the person may not see is 404
(`visible_role_or_404`); tasks and progress notes are read only through the read services,
which check the reader, unseal and record the reading. Refusals (403, 409) are raised by the
services and shown as pages by `web.middleware.RefusalPageMiddleware`.

In place (htmx): answering swaps the answer's region, a progress note the progress region,
and both bring the history along out of band. htmx swaps only 2xx answers (its default
`responseHandling`), so under htmx a form error or a refusal comes back as the region with
the error in words and status 200; without JavaScript the same request is an ordinary POST
answered by a redirect, the form again with 400, or the refusal's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

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
    coordinator, their networks'), filtered by agreement and task status, facts only."""
    form = RoleFilterForm(request.GET or None)
    rows = selectors.followed_roles(request.user, **form.values())
    context = {
        "form": form,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "show_agency": rules.coordinates_anywhere(request.user),
    }
    return TemplateResponse(request, "roles/list.html", context)


def _context(request, role, **extra) -> dict:
    """What the role's page shows of `role` (already read through `services.role_read` or
    an `..._and_read` write): its progress notes where the person may read them (read and
    recorded by `services.progress_read`), its history, and the forms the rules allow."""
    user = request.user
    notes = None
    if rules.may_read_progress(user, role):
        notes = services.progress_read(reader=user, role=role, via="web GET /roles/{id}/progress/")
    context = {
        "role": role,
        "case": role.review.case,
        "notes": notes,
        "history": selectors.role_history(role, notes or ()),
        "may_answer": rules.may_answer_role(user, role),
        "may_record": rules.may_record_progress(user, role),
        "decline_form": DeclineForm(),
        "progress_form": ProgressForm(),
    }
    context.update(extra)
    return context


def _region(request, template: str, context: dict, status: int = 200):
    """The region (htmx: status 200, see the module's docstring) or the whole page."""
    if request.htmx:
        return TemplateResponse(request, template, context)
    return TemplateResponse(request, "roles/detail.html", context, status=status)


@page
@require_GET
def role_detail(request, pk):
    """One role: its facts, its tasks (`services.role_read`: its readers, recorded), its
    answer with the buttons to answer, its progress and its history."""
    role = selectors.visible_role_or_404(request.user, pk)
    shown = services.role_read(reader=request.user, role=role, via="web GET /roles/{id}/")
    return TemplateResponse(request, "roles/detail.html", _context(request, shown))


def _answered(request, role, message):
    if request.htmx:
        context = _context(request, role, answer_message=message)
        return TemplateResponse(request, "roles/_answer_response.html", context)
    messages.success(request, message)
    return redirect("roles:detail", pk=role.pk)


def _refused(request, role_pk: int, error, template: str, **extra):
    """Under htmx, a service's refusal (403, 409) shown in the region; otherwise the
    refusal's page."""
    if not request.htmx:
        raise error
    user = request.user
    role = services.role_read(
        reader=user,
        role=selectors.visible_role_or_404(user, role_pk),
        via="web GET /roles/{id}/",
    )
    return TemplateResponse(request, template, _context(request, role, refusal=error, **extra))


@page
@require_POST
def role_agree(request, pk):
    """Agree to the role: a designated person of its agency (`services.role_agree_and_read`,
    as `POST /roles/{id}/agree/`)."""
    role = selectors.visible_role_or_404(request.user, pk)
    try:
        shown = services.role_agree_and_read(
            actor=request.user, role=role, via="web POST /roles/{id}/agree/"
        )
    except (Forbidden, Conflict) as error:
        return _refused(request, role.pk, error, "roles/_answer_response.html")
    return _answered(request, shown, AGREED)


@page
@require_POST
def role_decline(request, pk):
    """Decline the role with a reason: a designated person of its agency
    (`services.role_decline_and_read`, as `POST /roles/{id}/decline/`). Without a reason,
    the form again with the error on the field (400), after the same 403 as the API's."""
    user = request.user
    role = selectors.visible_role_or_404(user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            shown = services.role_decline_and_read(
                actor=user,
                role=role,
                reason=form.cleaned_data["reason"],
                via="web POST /roles/{id}/decline/",
            )
        except ValidationError as error:
            form.add_error(None, error)
        except (Forbidden, Conflict) as error:
            return _refused(
                request, role.pk, error, "roles/_answer_response.html", decline_form=form
            )
        else:
            return _answered(request, shown, DECLINED)
    # 403 before the input is judged, as the API answers.
    require(rules.may_answer_role(user, role), code="not_your_agency")
    shown = services.role_read(reader=user, role=role, via="web GET /roles/{id}/")
    context = _context(request, shown, decline_form=form)
    return _region(request, "roles/_answer_response.html", context, status=400)


@page
@require_POST
def role_progress(request, pk):
    """Record a progress note and the task status it reports: the role's agency and the
    coordinators, once the review is final (`services.progress_add_and_read`, as
    `POST /roles/{id}/progress/`)."""
    user = request.user
    role = selectors.visible_role_or_404(user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.progress_add_and_read(
                actor=user,
                role=role,
                via="web POST /roles/{id}/progress/",
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except (Forbidden, Conflict) as error:
            return _refused(
                request, role.pk, error, "roles/_progress_response.html", progress_form=form
            )
        else:
            if not request.htmx:
                messages.success(request, RECORDED)
                return redirect("roles:detail", pk=role.pk)
            shown = services.role_read(reader=user, role=role, via="web GET /roles/{id}/")
            context = _context(request, shown, progress_message=RECORDED)
            return TemplateResponse(request, "roles/_progress_response.html", context)
    # 403 before the input is judged, as the API answers.
    require(rules.may_record_progress(user, role), code="not_the_role_holder")
    shown = services.role_read(reader=user, role=role, via="web GET /roles/{id}/")
    context = _context(request, shown, progress_form=form)
    return _region(request, "roles/_progress_response.html", context, status=400)
