"""The JSON parser of the API: DRF's, with the nesting of a body bounded."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.inputs import MAX_JSON_DEPTH


def _nests_deeper_than(data, limit: int) -> bool:
    """Whether lists and objects in `data` nest more than `limit` levels; walked with a
    stack of its own, so that no depth of input can exhaust Python's."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """Refuses (400 `parse_error`) a body nesting more than MAX_JSON_DEPTH levels.

    Python's decoder is recursive: about a thousand levels raise RecursionError, which is
    not the ValueError DRF turns into a 400; and a body a little less deep would still reach
    every recursive walk after it (validation, error rendering). Bounding the depth here,
    once, keeps both away from every endpoint.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if _nests_deeper_than(data, MAX_JSON_DEPTH):
            raise _too_deep()
        return data


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON parse error - the body nests more than %(limit)d levels.")
        % {"limit": MAX_JSON_DEPTH}
    )
