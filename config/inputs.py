"""What the service accepts from outside, decided once: ids, single-line texts and how
deeply a JSON body may nest.

- Ids are integers from 1 to 2⁶³−1 (a 64-bit primary key). Anything else is refused before
  it reaches a query: SQLite raises OverflowError and PostgreSQL an error for integers past
  64 bits, which would otherwise answer 500.
- Single-line texts (names, titles, places) refuse control characters and line breaks:
  they end up in mail subjects, calendar entries and file names, where a line break
  starts a new header. `one_line` strips the same characters on the way out, for rows
  written before the rule or through a door that skipped it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1

# A body nests a few levels at most (a list of objects holding a list); anything deeper is
# an attack on the recursive parser and on everything that walks the result.
MAX_JSON_DEPTH = 32

# C0 and C1 controls (line feed, carriage return and tab included), DEL, the Unicode line
# and paragraph separators, and the bidirectional embeddings, overrides and isolates that
# make a file name or subject read differently from what it is.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def parse_id(value) -> int:
    """The id in `value` (an int, or a string of ASCII digits), or ValueError.

    Only ASCII digits count: `int()` alone would also accept " 1", "+1", "1_0" and
    full-width "１", so one object would answer to many spellings of its id. Ids outside
    1..2⁶³−1 belong to nothing and are refused like any other non-id.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        raise ValueError(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def single_line(value: str) -> None:
    """Validator: refuse line breaks and other control characters (names, titles, places)."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Write this on one line, without line breaks or control characters."),
            code="single_line",
        )


def one_line(text: str) -> str:
    """`text` with every control character and line break replaced by a space and the ends
    trimmed: safe for a mail header, a calendar parameter or a file name."""
    return CONTROL_CHARACTERS.sub(" ", str(text)).strip()
