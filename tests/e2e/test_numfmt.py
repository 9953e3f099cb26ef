"""The one number-display rule (static/js/lib/numfmt.js), run as the pages run it: imported in Chromium."""

import math

import pytest

pytestmark = pytest.mark.browser

IMPORT = "import('/static/js/lib/numfmt.js')"


@pytest.fixture(scope="module")
def numfmt(browser, server_url):
    """A page with the module loaded as window.nf."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server_url + "/")
    page.evaluate(f"async () => {{ window.nf = await {IMPORT}; }}")
    yield page
    context.close()


def fit(page, value, chars=None, digits=4):
    return page.evaluate("([v, c, d]) => nf.fit(v, c === null ? Infinity : c, d)", [value, chars, digits])


# (value, chars, expected): the issue's cases and the rule's edges
CASES = [
    (0.0001, 6, "0.0001"),
    (0.0001, 4, "1e-4"),           # never "0001" nor ".0001"
    (0.0026, 6, "0.0026"),
    (0.0026, 5, "0.003"),          # rounded, never "0.002"
    (0.0026, 4, "3e-3"),
    (-0.0026, 7, "-0.0026"),
    (-0.0026, 6, "-0.003"),
    (-0.0026, 5, "-3e-3"),
    (math.tanh(5), 6, "0.9999"),   # never "1"
    (math.tanh(5), 4, "0.9999"),   # nothing shorter is honest: the box shrinks it (fits() is false)
    (5.735e-39, 6, "6e-39"),
    (5.735e-39, None, "5.74e-39"),
    (123456.789, None, "123456.789"),
    (123456.789, 6, "123457"),
    (123456.789, 5, "1.2e5"),
    (-0.0135, 7, "-0.0135"),
    (-0.00001, 4, "-1e-5"),        # never "-0" or "-0.0" (the bias box)
    (0.0000968, 9, "9.68e-5"),
    (0.00968, 8, "9.68e-3"),       # 4 decimals at most by default: exponent notation is more precise ...
    (19, 4, "19"),
    (-12, 3, "-12"),
    (1.5, 3, "1.5"),
    (2.5, 1, "2.5"),               # never "3"
    (0.05, 3, "0.05"),             # "0.1" would be 100% off: shrunk instead
    (0.054, 4, "0.05"),
    (1 / 3, None, "0.3333"),
    (2.0000000298, 4, "2"),        # float32 noise is not a decimal
    (1e25, 6, "1e25"),
    (12345678, None, "12345678"),
    (0, 3, "0"),
    (-0.0, 3, "0"),
]


def test_fit_writes_the_issue_cases(numfmt):
    got = [[v, c, fit(numfmt, v, c)] for v, c, _ in CASES]
    want = [[v, c, e] for v, c, e in CASES]
    assert got == want
    assert fit(numfmt, 0.00968, 8, 6) == "0.00968"  # ... more when asked (chart axes)
    # from 1 to 100 with few decimals asked (/draw's centres of mass): more decimals, never "9.02e0"
    got = [fit(numfmt, v, None, 1) for v in (9.02, -14.02, 9.63, 99.98, 7.0)]
    assert got == ["9.02", "-14.02", "9.6", "99.98", "7"]
    assert [fit(numfmt, v, None, 1) for v in (0.00968, 123.02)] == ["9.68e-3", "123"]  # as before outside 1..100
    assert numfmt.evaluate("[nf.fit(null), nf.fit(undefined), nf.fit(NaN), nf.fit(Infinity), nf.fit(-Infinity)]") == [
        "", "", "–", "∞", "-∞"]


def test_fits_says_when_the_box_must_shrink(numfmt):
    got = numfmt.evaluate("[nf.fits(Math.tanh(5), 4), nf.fits(Math.tanh(5), 6), nf.fits(0.05, 3), nf.fits(19, 2)]")
    assert got == [False, True, False, True]


def test_full_value_for_tooltips(numfmt):
    got = numfmt.evaluate("[0.0025987600162625313, 5.735e-39, 0.30000001192092896, 123456.789, -0.0135, 0, 1e25,"
                          " 7].map(nf.full)")
    assert got == ["0.00259876001626", "5.735e-39", "0.300000011921", "123456.789", "-0.0135", "0", "1e25", "7"]


def test_every_text_is_honest_for_many_magnitudes_and_widths(numfmt):
    """Seeded values from 1e-40 to 1e12, both signs, widths 2..10: the text reads as a number within 20% of the
    value (exactly for whole numbers), never 0 or -0 for a value that is not 0, never a whole number for a value
    under 100 that is not one, never starts with '.', and fits its width whenever fits() says so."""
    bad = numfmt.evaluate("""() => {
      let seed = 12345; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const bad = [];
      for (let k = 0; k < 4000; k++) {
        const e = -40 + rnd() * 52, sign = rnd() < 0.5 ? -1 : 1;
        const v = k % 7 === 0 ? sign * Math.round(rnd() * 10 ** (1 + (k % 6))) : sign * 10 ** e * (1 + rnd());
        for (let chars = 2; chars <= 10; chars++) {
          const s = nf.fit(v, chars), x = Number(s);
          const why = [];
          if (!/^-?\\d/.test(s)) why.push('shape');
          if (!Number.isFinite(x)) why.push('nan');
          if (v !== 0 && (x === 0 || Object.is(x, -0) || s === '-0')) why.push('zero');
          if (v !== 0 && Math.abs(x - v) / Math.abs(v) > 0.2) why.push('off');
          if (Number.isInteger(v) && Math.abs(v) < 1e7 && String(v).length <= chars && s !== String(v)) why.push('int');
          if (!Number.isInteger(v) && Math.abs(v) < 100 && Math.abs(v - Math.round(v)) > 1e-6 * Math.max(1, Math.abs(v))
              && Number.isInteger(x)) why.push('reads whole');
          if (nf.fits(v, chars) !== (s.length <= chars)) why.push('fits');
          if (why.length) bad.push([v, chars, s, why.join(',')]);
        }
      }
      return bad.slice(0, 20);
    }""")
    assert bad == []


def test_more_room_never_shows_less(numfmt):
    """A wider box shows the value at least as precisely."""
    worse = numfmt.evaluate("""() => {
      const out = [];
      for (const v of [0.0026, -0.0135, Math.tanh(5), 5.735e-39, 123456.789, 0.0000968, 1/3, -7.25, 0.968]) {
        let last = Infinity;
        for (let c = 1; c <= 12; c++) {
          const err = Math.abs(Number(nf.fit(v, c)) - v);
          if (err > last + 1e-15) out.push([v, c, nf.fit(v, c)]);
          last = err;
        }
      }
      return out;
    }""")
    assert worse == []


def test_set_number_keeps_the_full_value_in_the_tooltip_and_the_name(numfmt):
    got = numfmt.evaluate("""() => {
      const cell = document.createElement('div'); cell.setAttribute('role', 'gridcell');
      const span = cell.appendChild(document.createElement('span'));
      nf.setNumber(span, 0.0025987600162625313, { chars: 4, name: cell });
      const a = [span.textContent, cell.title, cell.getAttribute('aria-label'), span.dataset.fit || ''];
      nf.setNumber(span, 19, { chars: 4, name: cell });
      const b = [span.textContent, cell.title, cell.getAttribute('aria-label')];
      const plain = document.createElement('span');
      nf.setNumber(plain, Math.tanh(5), { chars: 4 });
      const c = [plain.querySelector(':scope > .sr-only')?.textContent, plain.title, plain.dataset.fit,
                 plain.style.getPropertyValue('--fit')];
      return [a, b, c];
    }""")
    assert got[0] == ["3e-3", "0.00259876001626", "3e-3 (0.00259876001626)", ""]
    assert got[1] == ["19", "19", None]
    assert got[2][0] == " (0.999909204263)" and got[2][1] == "0.999909204263" and got[2][2] == "shrunk"
    assert float(got[2][3]) == pytest.approx(4 / 6)


def test_count_never_breaks(numfmt):
    assert numfmt.evaluate("[nf.count(1498376192), nf.count(61706)]") == ["1,498,376,192", "61,706"]
