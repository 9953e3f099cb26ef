"""One home for the error sentences (static/js/lib/errors.js picks "error.code.<code>" from the page's table, which is
static/i18n/<lang>.json with static/i18n/<page>.<lang>.json on top: app/pages.py, lib/i18n.js).

A code any endpoint can answer with (the server's, nginx's, the browser's), and a code several pages show (an engine
rule of /conv or /pool that /backprop meets too), is said once, in the common dictionaries; a page says such a code
its own way only where the common sentence would mislead (PAGE_WORDED). The file checks need no browser; the last
test shows a common sentence on a page, in both languages."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "static/i18n"
LANGS = ("en", "zh-TW")
CJK = re.compile(r"[\u4e00-\u9fff]")


def read(name: str) -> dict:
    return json.loads((I18N / name).read_text(encoding="utf-8"))


COMMON = {lang: read(f"{lang}.json") for lang in LANGS}
PAGES = sorted(path.name.removesuffix(".en.json") for path in I18N.glob("*.en.json"))
PAGE = {(page, lang): read(f"{page}.{lang}.json") for page in PAGES for lang in LANGS}

# code -> the pages that say it their own way, on top of (or instead of) a common sentence, and why
PAGE_WORDED = {
    "invalid_request": {"conv", "pool", "architectures"},  # names what to make smaller: kernel, pool_size, layers
    "payload_too_large": {"architectures"},  # the body is a network description: "use fewer layers"
    "not_found": {"architectures"},          # the one thing it asks for by name is a network
    "animation_too_large": {"conv", "pool"},  # the GIF of these two pages (not a server-level code): the advice differs
}
# server-level codes whose common sentence is another key: a refused value without a page's words is error.generic
SAID_BY = {"invalid_request": "error.generic"}
# page keys one language leaves out on purpose: the English GIF refusal is the engine's own words (test_download_gif)
ONE_LANGUAGE = {("conv", "error.code.animation_too_large"), ("pool", "error.code.animation_too_large")}


def server_codes() -> set[str]:
    """The codes any request can get: app/api/errors.py's statuses and its default, the middleware's
    (app/middleware.py), the upload routes' (app/api/routing.py), the protocol's refusals (app/server.py), nginx's
    error pages (deploy/nginx/nginx.conf) and the browser's own when no answer or no API answer arrives
    (static/js/lib/api.js)."""
    from app.api.errors import CODES, error_body

    codes = set(CODES.values()) | {error_body(599, None, "x")["error"]["code"]}  # a status without a name: "error"
    for path in ("app/api/errors.py", "app/api/routing.py", "app/middleware.py", "app/server.py"):
        codes |= set(re.findall(r'\bcode="(\w+)"', (ROOT / path).read_text(encoding="utf-8")))
    codes |= set(re.findall(r'"code":"(\w+)"', (ROOT / "deploy/nginx/nginx.conf").read_text(encoding="utf-8")))
    codes |= set(re.findall(r'\bcode: "(\w+)"', (ROOT / "static/js/lib/api.js").read_text(encoding="utf-8")))
    return codes


def codes_on(table: dict) -> set[str]:
    return {key.removeprefix("error.code.") for key in table if key.startswith("error.code.")}


def test_the_code_list_is_read():
    assert {"invalid_json", "unsupported_media_type", "payload_too_large", "not_found", "invalid_host", "cors_refused",
            "too_many_requests", "too_many_connections", "unavailable", "timeout", "error", "internal_error",
            "network_error", "bad_response"} <= server_codes()


def test_the_common_dictionaries_have_the_same_keys():
    assert set(COMMON["en"]) == set(COMMON["zh-TW"])


@pytest.mark.parametrize("page", PAGES)
def test_a_page_has_the_same_error_keys_in_both_languages(page):
    en, zh = ({f"error.code.{c}" for c in codes_on(PAGE[page, lang])} for lang in LANGS)
    assert en ^ zh <= {key for p, key in ONE_LANGUAGE if p == page}, en ^ zh


@pytest.mark.parametrize("code", sorted(server_codes()))
def test_every_server_level_code_has_a_sentence_in_both_common_dictionaries(code):
    key = SAID_BY.get(code, f"error.code.{code}")
    assert COMMON["en"].get(key), key
    assert CJK.search(COMMON["zh-TW"].get(key, "")), key


@pytest.mark.parametrize("lang", LANGS)
def test_a_code_said_on_several_pages_is_said_once_in_the_common_dictionary(lang):
    pages_saying = {}
    for page in PAGES:
        for code in codes_on(PAGE[page, lang]):
            pages_saying.setdefault(code, set()).add(page)
    copies = {code: sorted(pages) for code, pages in pages_saying.items()
              if (len(pages) > 1 or code in server_codes()) and not pages <= PAGE_WORDED.get(code, set())}
    assert not copies, f"say these in static/i18n/{lang}.json only: {copies}"


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_worded_sentence_is_not_a_copy(lang):
    """A page's own sentence differs from the common one and from every other page's: else it is a copy to drop."""
    seen = {}
    for page in PAGES:
        for code in codes_on(PAGE[page, lang]):
            text = PAGE[page, lang][f"error.code.{code}"]
            assert text != COMMON[lang].get(f"error.code.{code}"), (page, code)
            assert text not in seen.setdefault(code, {}), (page, code, seen[code].get(text))
            seen[code][text] = page


def test_every_page_worded_code_is_still_worded_there():
    """PAGE_WORDED stays a list of real exceptions: a page listed there says the code."""
    for code, pages in PAGE_WORDED.items():
        for page in pages:
            assert any(code in codes_on(PAGE[page, lang]) for lang in LANGS), (code, page)


@pytest.mark.browser
def test_a_common_sentence_is_shown_in_the_pages_language(web):
    """/pool has no sentence of its own for too_many_requests: the common one is shown, and retold after the
    language toggle (lib/i18n.js loads both dictionaries)."""
    page = web.goto("/pool?lang=zh-TW")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.includes('共 4 步')")
    body = {"error": {"status": 429, "code": "too_many_requests", "field": None, "rule": "zzz", "message": "zzz"}}
    page.route("**/api/pool", lambda route: route.fulfill(status=429, json=body))
    page.fill("#pool-r", "1")
    page.dispatch_event("#pool-r", "change")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error .error-text") == COMMON["zh-TW"]["error.code.too_many_requests"]
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.inner_text("#error .error-text") == COMMON["en"]["error.code.too_many_requests"]
    web.errors = [e for e in web.errors if "status of 429" not in e]
    web.assert_clean()
