"""Files for spreadsheets: the role-division table of a review (CSV and an Excel workbook)
and a network's load table (CSV).

The role-division table is case content (tasks): `role_division_export` reads it through
`review_services.role_division_read`, which checks the reader, unseals and records the reading.
The load table carries counts only. Cells that a spreadsheet would run as a formula
(starting with =, +, -, @, a tab or a carriage return) are written as text, and control
characters other than tab and line breaks (which a workbook cannot hold: openpyxl refuses
the whole file) are dropped.
"""

import csv
import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from conferences.models import Involvement, Review, RoleFunction
from conferences.reviews import services as review_services

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0, and so a workbook, cannot contain (openpyxl's ILLEGAL_CHARACTERS_RE).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value) -> str:
    text = UNWRITABLE.sub("", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _detail_header() -> list[str]:
    return [
        _("Agency"),
        _("Function"),
        _("Involvement"),
        _("Tasks"),
        _("Due on"),
        _("Agreement"),
        _("Agreed on behalf"),
        _("Reason for declining"),
        _("Task status"),
    ]


def _detail_row(role) -> list[str]:
    return [
        role.agency.name,
        role.get_function_display(),
        role.get_involvement_display(),
        role.tasks,
        role.due_on.isoformat() if role.due_on else "",
        role.get_agreement_display(),
        _("Yes") if role.agreed_on_behalf else "",
        role.decline_reason,
        role.get_task_status_display() if role.task_status else "",
    ]


def _title(review: Review) -> str:
    code = review.case.code or f"#{review.case_id}"
    return _("Role division of %(code)s (review of %(day)s)") % {
        "code": code,
        "day": review.created_at.date().isoformat(),
    }


def role_division_csv(review: Review, roles) -> bytes:
    """One row per assignment, with a title line; UTF-8 with a BOM so that Excel reads the
    Japanese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(_title(review))])
    writer.writerow(_detail_header())
    for role in roles:
        writer.writerow([_cell(v) for v in _detail_row(role)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _matrix(roles) -> tuple[list, list[list[str]]]:
    """Agencies (rows, in order of first assignment) × functions (columns): each cell the
    involvement (現在関与 ◎ / 今後連携 ○) and the due date."""
    functions = [f for f in RoleFunction if any(r.function == f for r in roles)]
    agencies = list(dict.fromkeys(r.agency for r in roles))
    mark = {Involvement.CURRENT: "◎", Involvement.NEW: "○"}
    rows = []
    for agency in agencies:
        row = []
        for function in functions:
            held = [r for r in roles if r.agency == agency and r.function == function]
            row.append(
                "\n".join(
                    f"{mark[r.involvement]} {r.due_on.isoformat() if r.due_on else ''}".strip()
                    for r in held
                )
            )
        rows.append(row)
    return functions, [[a.name, *row] for a, row in zip(agencies, rows, strict=True)]


def role_division_xlsx(review: Review, roles) -> bytes:
    """Two sheets: the matrix the practitioners' meeting draws (agencies × functions), and
    the assignments in detail."""
    book = Workbook()
    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet = book.active
    sheet.title = _("Role division")[:31]
    sheet.append([_cell(_title(review))])
    sheet["A1"].font = Font(bold=True, size=12)
    functions, rows = _matrix(roles)
    sheet.append([_("Agency"), *[str(f.label) for f in functions]])
    for cell in sheet[2]:
        cell.font, cell.fill = bold, head
    for row in rows:
        sheet.append([_cell(v) for v in row])
    sheet.append([])
    sheet.append([_("◎ involved now (現在関与), ○ joining (今後連携)")])
    sheet.column_dimensions["A"].width = 28
    for index in range(2, len(functions) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = wrap

    detail = book.create_sheet(_("Assignments")[:31])
    detail.append(_detail_header())
    for cell in detail[1]:
        cell.font, cell.fill = bold, head
    for role in roles:
        detail.append([_cell(v) for v in _detail_row(role)])
    for index, width in enumerate([28, 16, 14, 50, 12, 10, 10, 30, 16], start=1):
        detail.column_dimensions[get_column_letter(index)].width = width
    for row in detail.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def role_division_export(*, reader, review: Review, kind: str) -> tuple[str, bytes, str]:
    """The role-division table of `review` for `reader` as `kind` ("csv" or "xlsx"): the
    file's name, its bytes and its media type. Its readers only (403
    `content_not_readable`, 409 `content_purged`); the reading is recorded."""
    roles = review_services.role_division_read(
        reader=reader, review=review, via=f"GET /reviews/{{id}}/role-division.{kind}"
    )
    name = f"role-division-{review.case.code or review.case_id}-{review.pk}.{kind}"
    if kind == "csv":
        return name, role_division_csv(review, roles), CSV
    return name, role_division_xlsx(review, roles), XLSX


def role_load_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Agency"), _("Function"), _("Open"), _("Done"), _("Ended otherwise")])
    for row in rows:
        writer.writerow(
            [
                _cell(row["agency_name"]),
                row["function_display"],
                row["open"],
                row["done"],
                row["ended_otherwise"],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
