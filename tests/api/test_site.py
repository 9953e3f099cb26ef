import re
from pathlib import Path

from tests.conftest import assert_error


def test_openapi_lists_endpoints_with_examples(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/conv2d", "/api/pool", "/api/examples"} <= set(spec["paths"])
    conv = spec["components"]["schemas"]["Conv2DRequest"]
    assert conv["examples"][0]["kernel"] == [[2, 1, 3], [2, 0, 0], [1, 3, 2]]


def test_docs_page_loads_only_local_assets(client):
    html = client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "<script>" not in html  # no inline script
    for u in urls:
        assert client.get(u).status_code == 200, u


def test_docs_header_links_to_every_page(client):
    from app.pages import PAGES

    header = re.search(r'<header class="docs-back">(.*?)</header>', client.get("/docs").text, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', header) == [path for path, _ in PAGES.values()]
    assert ">Draw a digit</a>" in header and ">Backprop</a>" in header


def test_security_headers_everywhere(client):
    """Pages may be framed by the app itself (lesson links, ?embed=1); nothing else may be framed at all."""
    page, other = ("'self'", "SAMEORIGIN"), ("'none'", "DENY")
    for path, (ancestors, frame_options) in (("/", page), ("/conv", page), ("/api/examples", other),
                                             ("/static/css/app.css", other), ("/nope", other), ("/docs", other)):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert csp.endswith(f"frame-ancestors {ancestors}") and "script-src 'self'" in csp and "http" not in csp, path
        assert r.headers["x-frame-options"] == frame_options, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_html_404_uses_the_layout_and_api_404_is_json(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "<nav" in r.text and "Page not found" in r.text
    assert_error(client.get("/api/no-such"), 404)


def test_static_files_do_not_escape_static_dir(client):
    for path in ("/static/../app/main.py", "/static/%2e%2e/app/main.py", "/static/..%2fpyproject.toml"):
        assert client.get(path).status_code == 404


def test_pages_render_in_both_languages(client):
    en = client.get("/conv", headers={"accept-language": "en"}).text
    zh = client.get("/conv", headers={"cookie": "lang=zh-TW"}).text
    assert 'lang="en"' in en and 'lang="zh-TW"' in zh
    assert "卷積層" in zh
    assert client.get("/conv?lang=zh-TW").text.count('lang="zh-TW"') == 1


def test_predict_response_documents_its_fields_and_their_rounding(client):
    props = client.get("/openapi.json").json()["components"]["schemas"]["PredictResponse"]["properties"]
    assert "rounded to 6 decimals" in props["probabilities"]["description"]
    assert "rounded to 6 decimals" in props["confidence"]["description"]
    assert all(props[k].get("description") for k in ("digit", "preprocessed", "steps", "low_confidence", "results"))


# mainland usages a zh-TW page should not use, with the Taiwan words the pages use instead
MAINLAND = {"激活": "激勵", "窗口": "視窗", "默認": "預設", "信息": "訊息", "視頻": "影片",
            "屏幕": "螢幕", "鼠標": "滑鼠", "軟件": "軟體", "數據": "資料", "網絡": "網路",
            "優化": "最佳化", "質量": "品質", "內存": "記憶體", "文件": "檔案", "程序": "程式",
            "字節": "位元組", "創建": "建立", "支持": "支援", "運行": "執行", "服務器": "伺服器",
            "兼容": "相容"}


def test_zh_tw_words_are_taiwans():
    """A newcomer review found 激活函數 (mainland) on most pages beside 激勵函數 on /rnn, and 窗口 on /model beside
    視窗 on /conv: every zh-TW text the pages show now uses the Taiwan word."""
    root = Path(__file__).resolve().parents[2]
    texts = {p.name: p.read_text(encoding="utf-8") for p in [*(root / "static/i18n").glob("*zh-TW*.json"),
                                                              *(root / "templates").glob("*.html")]}
    found = [(name, word, MAINLAND[word]) for name, text in texts.items() for word in MAINLAND if word in text]
    assert not found, found


def test_number_fields_keep_the_minus_sign_and_the_comma_on_every_phone():
    """iOS's decimal and numeric keypads have no minus sign and no comma: with inputmode="decimal" a matrix cell
    could not take -1 (a Sobel kernel) nor the softmax field "2, 1, 0.1" on an iPhone. No field asks for them."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("static/js/**/*.js"), *root.glob("templates/*.html")]
    found = [f"{p.relative_to(root)}: {m.group()}" for p in sources
             for m in re.finditer(r"inputmode\W+(decimal|numeric|tel)", p.read_text(encoding="utf-8"))]
    assert len(sources) > 40 and not found, found
