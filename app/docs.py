"""Self-hosted Swagger UI at /docs: assets come from the swagger-ui-bundle package, nothing from a CDN,
and no inline script (the page is configured by static/js/docs-init.js). A small header links back to the app's
pages (app/pages.PAGES, with their English names: Swagger UI itself is English only)."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.pages import PAGES, strings

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API docs · CNN &amp; RNN, number by number</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="stylesheet" href="/static/css/docs.css"></head>
<body><header class="docs-back"><a href="/">← CNN &amp; RNN, number by number</a>
{links}</header>
<main><div id="swagger-ui" data-openapi="/openapi.json"></div></main>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/js/docs-init.js"></script></body></html>"""


def page_links() -> str:
    names = strings("en", "docs")
    return " ".join(f'<a href="{path}">{escape(names[key])}</a>' for path, key in PAGES.values() if path != "/")


def install_docs(app: FastAPI) -> None:
    html = PAGE.replace("{links}", page_links())

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html)
