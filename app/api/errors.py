"""One JSON error shape for every 4xx:

    {"error": {"status": 422, "code": "invalid_request", "field": "kernel",
               "rule": "must be a 2-D or 4-D array ...", "message": "kernel: must be ..."}}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.responses import JSONResponse
from app.engine.errors import EngineError

CODES = {400: "invalid_json", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
         415: "unsupported_media_type", 421: "misdirected_request", 422: "invalid_request",
         429: "too_many_requests", 431: "headers_too_large", 503: "unavailable"}


class ApiError(Exception):
    """A refusal the API itself decides (not a broken engine rule): status, field, rule and code."""

    def __init__(self, status: int, field: str | None, rule: str, code: str | None = None):
        super().__init__(rule)
        self.status, self.field, self.rule, self.code = status, field, rule, code


MAX_FIELD_CHARS = 200  # a field path echoed back: a client's own key may be a megabyte long


def short_field(field: str | None) -> str | None:
    """The field path as echoed in an error, cut to MAX_FIELD_CHARS: a body's unknown key is the client's text, and
    echoing a 900 KB key twice (field and message) made a 1.8 MB answer to a 0.9 MB request."""
    if field is None or len(field) <= MAX_FIELD_CHARS:
        return field
    return field[:MAX_FIELD_CHARS - 1] + "…"


def error_body(status: int, field: str | None, rule: str, code: str | None = None) -> dict:
    field = short_field(field)
    message = f"{field}: {rule}" if field else rule
    return {"error": {"status": status, "code": code or CODES.get(status, "error"), "field": field,
                      "rule": rule, "message": message}}


def error_response(status: int, field: str | None, rule: str, code: str | None = None,
                   headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, field, rule, code), status_code=status, headers=headers)


_RULES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "int_parsing": "must be an integer",
    "int_parsing_size": "must be an integer (this one has too many digits)",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be a JSON object",
    "literal_error": None,
    "enum": None,
}


def _field(loc) -> str | None:
    parts = [str(p) for p in loc if p != "body" and not (isinstance(p, str) and "[" in p)]
    return ".".join(parts) or "body"


def rule_of(err: dict) -> str:
    """A pydantic error as the rule it breaks, in the API's words ("must be ..."), never pydantic's own sentence
    ("Input should be a valid integer, unable to parse string as an integer") or a Python class name."""
    kind = err.get("type", "")
    msg = str(err.get("msg", "is invalid"))
    ctx = err.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return msg.replace("Input should be", "must be")
    if kind in ("too_long", "too_short"):
        what = "item" if "List" in msg or "list" in msg else "value"
        if kind == "too_long":
            n = ctx.get("max_length")
            return f"must have at most {n} {what}{'' if n == 1 else 's'}" if n is not None else "is too long"
        n = ctx.get("min_length")
        return f"must have at least {n} {what}{'' if n == 1 else 's'}" if n is not None else "is too short"
    if kind in ("string_too_long", "string_too_short"):
        n = ctx.get("max_length" if kind == "string_too_long" else "min_length")
        return f"must be a string of {'at most' if kind == 'string_too_long' else 'at least'} {n} characters"
    if kind in ("literal_error", "enum"):
        return "must be one of " + str(ctx.get("expected", ""))
    if kind == "value_error" and "UploadFile" in msg:
        return "must be a file (a multipart part with a filename)"
    return _RULES.get(kind) or msg


def validation_to_error(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    # the deepest location is the most specific (unions report one error per member)
    err = max(errors, key=lambda e: len(e.get("loc", ())))
    if err.get("type", "") == "json_invalid":
        return error_response(400, "body", "must be valid JSON: " + str(err.get("ctx", {}).get("error", "")))
    return error_response(422, _field(err.get("loc", ())), rule_of(err))


def install(app: FastAPI, not_found_page=None) -> None:
    """The handlers that give every error the one shape; `not_found_page(request)` answers 404s outside /api
    (the pages' own 404, passed in by app/main.py so that the API does not depend on the pages)."""
    @app.exception_handler(EngineError)
    async def _engine(_: Request, exc: EngineError):
        return error_response(422, exc.field, exc.rule, code=exc.code)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError):
        return error_response(exc.status, exc.field, exc.rule, code=exc.code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        return validation_to_error(exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # a safety net: the shape holds even for a bug
        import logging

        logging.getLogger("app").exception("unhandled error on %s", request.url.path)
        return error_response(500, None, "internal error: the request could not be computed", code="internal_error")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and not_found_page is not None and not request.url.path.startswith("/api"):
            return not_found_page(request)
        rule = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            rule = f"no such resource: {request.url.path}"
        elif exc.status_code == 405:
            rule = f"method {request.method} is not allowed here"
        return error_response(exc.status_code, None, rule, headers=getattr(exc, "headers", None))
