"""HTML pages: one route per entry of PAGES, rendered from templates/<name>.html in the visitor's language.

Strings come from static/i18n/<lang>.json (shared) and static/i18n/<page>.<lang>.json (one page's),
the same files the browser loads when the language is switched.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.config import settings
from app.engine.limits import page_limits

LANGS = ("en", "zh-TW")
# name -> (path, title key); the navigation bar shows them in this order (home is the brand link)
PAGES = {
    "home": ("/", "nav.home"),
    "conv": ("/conv", "nav.conv"),
    "pool": ("/pool", "nav.pool"),
    "backprop": ("/backprop", "nav.backprop"),
    "rnn": ("/rnn", "nav.rnn"),
    "lstm": ("/lstm", "nav.lstm"),
    "activations": ("/activations", "nav.activations"),
    "draw": ("/draw", "nav.draw"),
    "architectures": ("/architectures", "nav.architectures"),
    "model": ("/model", "nav.model"),
}

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(settings.templates_dir))


def _read(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=64)
def strings(lang: str, page: str) -> dict:
    base = settings.static_dir / "i18n"
    return {**_read(base / f"{lang}.json"), **_read(base / f"{page}.{lang}.json")}


def pick_lang(request: Request) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGS:
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    return "zh-TW" if accept.startswith("zh") else "en"


PANEL_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
MAX_HIDDEN = 64


def view_options(request: Request) -> dict:
    """How the page is shown (lesson links; static/js/lib/present.js and lesson.js):
    ?present=1 / 0 presenter mode (else the `present` cookie the toggle sets), ?embed=1 no site header,
    navigation or footer (for an iframe), ?hide=settings,keras the panels left out (names in the templates'
    data-panel attributes; unknown names are ignored)."""
    present = request.query_params.get("present")
    if present not in ("0", "1"):
        present = request.cookies.get("present")
    names = request.query_params.get("hide", "").split(",")[:MAX_HIDDEN]
    view = {"present": present == "1", "embed": request.query_params.get("embed") == "1",
            "hide": frozenset(n.strip() for n in names if PANEL_NAME.fullmatch(n.strip()))}
    view["html_class"] = " ".join(name for name in ("present", "embed") if view[name])
    return view


def render(request: Request, page: str, status_code: int = 200) -> HTMLResponse:
    lang = pick_lang(request)
    view = view_options(request)
    table = strings(lang, page)
    template = f"{page}.html" if (settings.templates_dir / f"{page}.html").exists() else "placeholder.html"

    def t(key: str, **values) -> str:
        text = table.get(key, key)
        return text.format(**values) if values else text

    def panel(name: str) -> Markup:
        """A panel's name for ?hide= (data-panel), and data-off when the URL hides it (app.css)."""
        return Markup(' data-panel="{}"{}').format(name, Markup(" data-off") if name in view["hide"] else "")

    title_key = PAGES.get(page, (None, "notfound.title"))[1]
    if page == "lstm" and request.query_params.get("cell", "").strip('"') == "gru":   # as the page reads it
        title_key = "nav.gru"             # /lstm?cell=gru is the GRU's page: its tab says so
    return templates.TemplateResponse(request, template, {
        "lang": lang, "page": page, "t": t, "title_key": title_key, "nav": PAGES, "view": view, "panel": panel,
        "i18n_json": table, "limits": page_limits(),
        "page_strings": (settings.static_dir / "i18n" / f"{page}.en.json").exists(),
    }, status_code=status_code)


def not_found_page(request: Request) -> HTMLResponse:
    return render(request, "404", status_code=404)


def _route(name: str, path: str):
    def page(request: Request) -> HTMLResponse:
        return render(request, name)

    page.__name__ = f"page_{name}"
    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)


for _name, (_path, _title) in PAGES.items():
    _route(_name, _path)
