"""Each acceptance check of the study pages fails on a page built to break it.

The pages here are served by Playwright itself (``page.route``) from an origin that does
not exist, so these tests need neither Django nor the study pages, and each one pairs a
page that must fail a check with one that must pass it: a check that can only pass, or
only fail, would make the sweep in ``test_pages.py`` meaningless.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
from django.http import HttpRequest, JsonResponse
from django.urls import path
from playwright.sync_api import Route

from rehearse.accounts.models import User
from tests.browser.conftest import BrowserPageFactory
from tests.browser.harness import (
    BrowserPage,
    assert_fits_width,
    assert_no_csp_violations,
    assert_strict_csp,
    assert_within_budget,
    axe_serious_violations,
    csp_violations,
    expand_details,
    overlapping_controls,
    page_weight,
    screenshot,
    sign_in_with_cookie,
)

pytestmark = pytest.mark.browser

ORIGIN = "http://harness.test"
STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"


def serve(bp: BrowserPage, files: dict[str, tuple[str, str | bytes]], csp: str = "") -> None:
    """Answer requests to ORIGIN from ``files`` (path -> content type, body); 404 else."""

    def handle(route: Route) -> None:
        url_path = route.request.url.removeprefix(ORIGIN)
        if url_path not in files:
            route.fulfill(status=404, content_type="text/plain", body="not found")
            return
        content_type, body = files[url_path]
        headers = {"Content-Type": content_type}
        if csp and content_type.startswith("text/html"):
            headers["Content-Security-Policy"] = csp
        route.fulfill(status=200, headers=headers, body=body)

    bp.page.route(f"{ORIGIN}/**", handle)


def html(body: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>harness</title>{head}</head><body><main><h1>Harness</h1>{body}</main>"
        "</body></html>"
    )


# --- CSP ----------------------------------------------------------------------------


def test_an_inline_script_under_a_strict_csp_is_a_violation(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    serve(bp, {"/": ("text/html", html("<script>window.ran = 1</script>"))}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    assert bp.page.evaluate("() => window.ran") is None  # blocked
    found = csp_violations(bp)
    assert any("Content Security Policy" in line for line in found), found  # console
    assert any(line.startswith("securitypolicyviolation: script-src") for line in found), found
    with pytest.raises(AssertionError, match="CSP violations"):
        assert_no_csp_violations(bp)


def test_an_inline_style_attribute_is_a_violation_too(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    serve(bp, {"/": ("text/html", html('<p style="color: red">red</p>'))}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    with pytest.raises(AssertionError, match="style-src"):
        assert_no_csp_violations(bp)


def test_files_from_the_page_own_origin_are_no_violation(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    page = html("<p>fine</p>", head='<link rel="stylesheet" href="/s.css"><script src="/s.js">')
    files: dict[str, tuple[str, str | bytes]] = {
        "/": ("text/html", page.replace('"/s.js">', '"/s.js"></script>')),
        "/s.css": ("text/css", "p { color: #111; }"),
        "/s.js": ("text/javascript", "window.ran = 1;"),
    }
    serve(bp, files, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    assert bp.page.evaluate("() => window.ran") == 1
    assert_no_csp_violations(bp)


@pytest.mark.parametrize(
    ("policy", "verdict"),
    [
        (STRICT_CSP, None),
        ("default-src 'self'", None),
        ("", "no header at all"),
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", "script-src allows"),
        ("default-src 'self'; style-src 'self' 'unsafe-inline'", "style-src allows"),
        ("img-src 'self'", "no script-src nor default-src"),
    ],
    ids=["strict", "default-src", "none", "inline-script", "inline-style", "no-script-src"],
)
def test_only_a_strict_policy_passes(
    new_page: BrowserPageFactory, policy: str, verdict: str | None
) -> None:
    bp = new_page()
    serve(bp, {"/": ("text/html", html("<p>Policy.</p>"))}, csp=policy)
    response = bp.goto(f"{ORIGIN}/")

    if verdict is None:
        assert_strict_csp(response)
    else:
        with pytest.raises(AssertionError, match=verdict):
            assert_strict_csp(response)


# --- axe ----------------------------------------------------------------------------


def test_axe_runs_under_a_strict_csp_without_violating_it(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    serve(bp, {"/": ("text/html", html("<p>Accessible enough.</p>"))}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    assert axe_serious_violations(bp) == []
    assert bp.page.evaluate("() => typeof window.axe") == "object"
    assert_no_csp_violations(bp)


def test_an_unlabelled_input_and_faint_text_are_serious(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    css = ".faint { color: #bbb; background: #fff; }"
    page = html(
        '<form><input type="text" name="q"></form><p class="faint">Hard to read.</p>',
        head='<link rel="stylesheet" href="/s.css">',
    )
    serve(bp, {"/": ("text/html", page), "/s.css": ("text/css", css)}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    found = axe_serious_violations(bp)
    ids = {line.split(" ", 1)[0] for line in found}
    assert {"label", "color-contrast"} <= ids, found
    assert any(line.startswith("label [critical]: ") and "at input" in line for line in found)


def test_contrast_is_audited_in_each_colour_scheme(new_page: BrowserPageFactory) -> None:
    """Readable in light, unreadable in dark: only the dark pass finds it."""
    bp = new_page()
    css = (
        "body { color: #111; background: #fff; }"
        "@media (prefers-color-scheme: dark) { body { color: #444; background: #222; } }"
    )
    page = html("<p>Some text.</p>", head='<link rel="stylesheet" href="/s.css">')
    serve(bp, {"/": ("text/html", page), "/s.css": ("text/css", css)}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    bp.color_scheme("light")
    assert axe_serious_violations(bp) == []
    bp.color_scheme("dark")
    found = axe_serious_violations(bp)
    assert any(line.startswith("color-contrast [serious]") for line in found), found


def test_what_a_closed_details_hides_is_audited_once_opened(
    new_page: BrowserPageFactory,
) -> None:
    bp = new_page()
    css = ".faint { color: #bbb; background: #fff; }"
    page = html(
        '<details><summary>Show the answer</summary><p class="faint">Faint.</p></details>',
        head='<link rel="stylesheet" href="/s.css">',
    )
    serve(bp, {"/": ("text/html", page), "/s.css": ("text/css", css)}, csp=STRICT_CSP)
    bp.goto(f"{ORIGIN}/")

    assert axe_serious_violations(bp) == []  # hidden, so not audited
    assert expand_details(bp) == 1
    found = axe_serious_violations(bp)
    assert any(line.startswith("color-contrast [serious]") for line in found), found


# --- width --------------------------------------------------------------------------

WIDE = html(
    '<div class="wide">600 px</div>',
    head='<link rel="stylesheet" href="/s.css">',
)
WIDE_FILES: dict[str, tuple[str, str | bytes]] = {
    "/": ("text/html", WIDE),
    "/s.css": ("text/css", ".wide { width: 600px; }"),
}


def test_a_600px_block_does_not_fit_375px(new_page: BrowserPageFactory) -> None:
    bp = new_page(width=375)
    serve(bp, WIDE_FILES)
    bp.goto(f"{ORIGIN}/")

    with pytest.raises(AssertionError, match=r"scrolls sideways: \d+ px .* 375 px.*div\.wide"):
        assert_fits_width(bp)


def test_the_same_block_fits_1280px(new_page: BrowserPageFactory) -> None:
    bp = new_page(width=1280)
    serve(bp, WIDE_FILES)
    bp.goto(f"{ORIGIN}/")

    assert_fits_width(bp)


# --- overlapping controls -------------------------------------------------------------

CONTROLS_CSS = """
.stack { position: relative; height: 60px; }
.stack button { position: absolute; top: 0; width: 120px; height: 40px; }
.stack .second { left: 60px; }
.row button { width: 120px; height: 40px; margin: 0; }
.hidden-link { position: absolute; width: 1px; height: 1px; overflow: hidden;
               clip: rect(0 0 0 0); white-space: nowrap; }
"""


def controls_page(bp: BrowserPage, body: str) -> None:
    page = html(body, head='<link rel="stylesheet" href="/s.css">')
    serve(bp, {"/": ("text/html", page), "/s.css": ("text/css", CONTROLS_CSS)})
    bp.goto(f"{ORIGIN}/")


def test_two_overlapping_buttons_are_found(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    controls_page(bp, '<div class="stack"><button>First</button><button class="second">Two')

    [(first, second)] = overlapping_controls(bp)
    assert first.startswith('button "First"')
    assert second.startswith('button.second "Two"')


def test_neighbours_nesting_and_hidden_controls_are_no_overlap(
    new_page: BrowserPageFactory,
) -> None:
    bp = new_page()
    controls_page(
        bp,
        '<a class="hidden-link" href="#main">Skip</a><a href="/">Home</a>'
        '<div class="row"><button>One</button><button>Two</button></div>'
        '<details><summary><a href="/x">In a summary</a></summary><a href="/y">Folded</a>'
        '</details><input type="hidden" name="h"><p hidden><button>Gone</button></p>',
    )

    assert overlapping_controls(bp) == []


# --- page weight ----------------------------------------------------------------------


def test_page_weight_counts_html_css_and_js_but_not_images(new_page: BrowserPageFactory) -> None:
    bp = new_page()
    css = "p { color: #111; }" * 100
    js = "window.n = (window.n || 0) + 1;\n" * 200
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 5000
    page = html(
        '<p>Heavy.</p><img src="/i.png" alt="">',
        head='<link rel="stylesheet" href="/s.css"><script src="/s.js" defer></script>',
    )
    serve(
        bp,
        {
            "/": ("text/html", page),
            "/s.css": ("text/css", css),
            "/s.js": ("text/javascript", js),
            "/i.png": ("image/png", png),
            "/next": ("text/html", html("<p>Light.</p>")),
        },
    )
    bp.goto(f"{ORIGIN}/")

    weight = len(page.encode()) + len(css) + len(js)
    assert page_weight(bp) == weight
    assert_within_budget(bp, budget=weight + 1)
    with pytest.raises(AssertionError, match=rf"weighs {weight} bytes .*budget {weight}:"):
        assert_within_budget(bp, budget=weight)

    bp.goto(f"{ORIGIN}/next")  # counted afresh from each navigation
    assert page_weight(bp) == len(html("<p>Light.</p>").encode())


# --- screenshots ----------------------------------------------------------------------


def test_screenshots_are_full_page_pngs_under_var(
    new_page: BrowserPageFactory, request: pytest.FixtureRequest
) -> None:
    bp = new_page(width=375, height=400)
    serve(bp, {"/": ("text/html", html("<p>Tall.</p>" * 80))})
    bp.goto(f"{ORIGIN}/")

    shot = screenshot(bp, "tall page")

    assert shot.parts[-4:-2] == ("var", "screenshots")
    assert shot.parent.name.startswith("test_harness.py_test_screenshots")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert width == 375
    assert height > 400  # the whole page, not the window


# --- signing in by cookie -------------------------------------------------------------
# A URLconf of one view, so that this proves the cookie is a real signed-in session to
# Django whatever the study pages do.


def whoami(request: HttpRequest) -> JsonResponse:
    user: Any = request.user
    return JsonResponse({"email": user.email if user.is_authenticated else None})


urlpatterns = [path("whoami", whoami)]


def test_a_session_cookie_signs_the_browser_in(
    browser_page: BrowserPageFactory, live_server: Any, make_user: Any, settings: Any
) -> None:
    settings.ROOT_URLCONF = __name__
    user: User = make_user("cookie@example.org")
    bp = browser_page()

    assert bp.goto("/whoami").json() == {"email": None}
    sign_in_with_cookie(bp, user, live_server.url)
    assert bp.goto("/whoami").json() == {"email": "cookie@example.org"}
