"""The OpenAPI document: every /api operation documents the one error shape for its 4xx answers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.schemas import ErrorResponse

ERROR_STATUSES = {
    "400": "Malformed JSON or headers",
    "404": "No such resource",
    "405": "Method not allowed",
    "413": "Body over the size cap",
    "415": "Unsupported media type",
    "422": "A field breaks a rule (the error names the field and the rule)",
    "503": "A resource the endpoint needs is not available (e.g. the model is not trained yet)",
}


def install_openapi(app: FastAPI) -> None:
    def build():
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update({
            "ErrorResponse": ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")})
        components.update(ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
                          .pop("$defs", {}))
        components["ErrorResponse"].pop("$defs", None)
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api"):
                continue
            for op in operations.values():
                responses = op.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    responses[status] = {"description": text, **ref}
        app.openapi_schema = schema
        return schema

    app.openapi = build
