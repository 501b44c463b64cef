"""What the OpenAPI schema says of every operation, beyond what each view declares.

`postprocess` is drf-spectacular's postprocessing hook (SPECTACULAR_SETTINGS). It makes the
cross-cutting parts of the contract (API.md "Conventions") true in the schema:

- ids in paths are integers. The URL patterns take any text (`<str:pk>`) on purpose, so that
  `permissions.access` answers 404 for a non-number like for an id that is not there, but
  only positive integers name anything;
- the error answers are documented with the contract's shapes: 400 field errors (or a body
  that could not be parsed), 401 not logged in, 403 not yours to do, 404 not yours to see,
  409 a state that does not allow the write, 422 personal data (declared where screened),
  429 throttled (declared where throttled);
- files (`.csv`, `.xlsx`, `.ics`, `.svg` at the end of the path) are described with their
  media types, not as JSON;
- a text that may be blank or a URL/e-mail address is `anyOf`, not `oneOf` (the empty
  string matches both branches, which `oneOf` forbids).

A view declares an error the rules below cannot guess (a read that meets a purged case, a
throttle) with `extend_schema(responses={..., 409: CONFLICT})`; the hook gives every error
response without a body the contract's body for its status.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

ID_MAXIMUM = 2**63 - 1  # a 64-bit primary key (BigAutoField)
WRITE_METHODS = {"post", "put", "patch", "delete"}
FILE_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ics": "text/calendar",
    ".svg": "image/svg+xml",
}
STATUS_TEXT = {
    400: "Invalid input: field errors, or a body that could not be read.",
    401: "Not logged in, or the token has expired.",
    403: "Logged in, but this is not yours to do (`code` names the rule).",
    404: "Absent, or not yours to see: the two are never told apart.",
    409: "The thing's current state does not allow this (`code` names the rule).",
    415: "The body's media type is not accepted (send JSON).",
    422: "The screening found personal data.",
    429: "Too many attempts: try again later.",
}

# Bodiless responses for `extend_schema(responses=...)`: the hook fills in the body.
NOT_FOUND = OpenApiResponse(description=STATUS_TEXT[404])
CONFLICT = OpenApiResponse(description=STATUS_TEXT[409])
THROTTLED = OpenApiResponse(description=STATUS_TEXT[429])
UNAUTHORIZED = OpenApiResponse(
    description="The password, or the second factor (`otp_required`, `invalid_otp`), was "
    "not accepted."
)

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Every error but field errors: `{"detail": "…", "code": "…"}`, `detail` '
    "in the request's language, `code` a stable English identifier; some add fields (a "
    "refused finalisation lists the unmet rules in `unmet`).",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
    "additionalProperties": True,
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": 'Field errors in DRF\'s shape, `{"field": ["message"]}`: a nested object '
    "for a nested field, one entry per item for a list, `non_field_errors` for the body "
    "as a whole.",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": True},
        ]
    },
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR_BODIES = {
    400: {"anyOf": [_ref("FieldErrors"), _ref("Error")]},
    # Anything else answers the one error shape; 422 is declared with its own serializer.
}


def _authenticated(operation: dict) -> bool:
    security = operation.get("security")
    return bool(security) and {} not in security


def _error_statuses(path: str, method: str, operation: dict) -> set[int]:
    parameters = operation.get("parameters", [])
    in_path = any(p["in"] == "path" for p in parameters)
    in_query = any(p["in"] == "query" for p in parameters)
    paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
    statuses = set()
    if "requestBody" in operation:
        statuses |= {400, 415}
    if in_query:
        statuses.add(400)
    if _authenticated(operation):
        statuses |= {401, 403}
    if in_path or paginated:
        statuses.add(404)
    if method in WRITE_METHODS and in_path and _authenticated(operation):
        statuses.add(409)
    return statuses


def _integer_ids(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and (
            parameter["name"] == "id" or parameter["name"].endswith("_pk")
        ):
            parameter["schema"] = {
                "type": "integer",
                "format": "int64",
                "minimum": 1,
                "maximum": ID_MAXIMUM,
            }
            parameter["description"] = "An integer id."


def _file_media_type(path: str, operation: dict) -> None:
    for suffix, media_type in FILE_TYPES.items():
        if path.endswith(suffix):
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    response["content"] = {
                        media_type: {"schema": {"type": "string", "format": "binary"}}
                    }


def _blank_or_format(node) -> None:
    """`oneOf: [{format…}, {maxLength: 0}]` → `anyOf`: "" would match both branches."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if branches and any(b.get("maxLength") == 0 for b in branches if isinstance(b, dict)):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _blank_or_format(value)
    elif isinstance(node, list):
        for value in node:
            _blank_or_format(value)


def postprocess(result, generator, request, public):
    """drf-spectacular postprocessing hook: see the module's docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _integer_ids(operation)
            _file_media_type(path, operation)
            responses = operation["responses"]
            for status in _error_statuses(path, method, operation):
                responses.setdefault(str(status), {"description": STATUS_TEXT[status]})
            for status, response in responses.items():
                code = int(status) if status.isdigit() else 0
                if code >= 400 and not response.get("content"):
                    body = ERROR_BODIES.get(code, _ref("Error"))
                    response["content"] = {"application/json": {"schema": body}}
                    response["description"] = response.get("description") or STATUS_TEXT.get(
                        code, ""
                    )
            operation["responses"] = dict(sorted(responses.items()))
    _blank_or_format(result)
    return result


class BodyOnDeleteSchema(AutoSchema):
    """The schema of a view whose DELETE takes a JSON body (the contract's `DELETE
    /me/two-factor/ {code}`): drf-spectacular describes request bodies for POST, PUT and
    PATCH only, so DELETE is described as POST would be. OpenAPI 3.0 allows a body on
    DELETE; only its meaning is left to the API."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
