"""The acceptance checks of the study pages, as functions a browser test calls.

Each check measures one thing in a real browser (Debian's chromium, driven by
Playwright) and either returns what it found or fails with a message that names it:

- ``assert_strict_csp``: the document came with a policy that allows nothing inline.
- ``assert_no_csp_violations``: nothing on the page broke its Content-Security-Policy,
  seen two ways: chromium's console reports and ``securitypolicyviolation`` events.
- ``axe_serious_violations``: axe-core (the npm package, ``node_modules/axe-core``)
  finds no serious or critical WCAG 2.1 A/AA (or best-practice) problem.
- ``assert_fits_width``: the page never scrolls sideways.
- ``overlapping_controls``: no two visible controls cover each other.
- ``page_weight``: the bytes of HTML, CSS and JavaScript the page loaded.
- ``screenshot``: a full-page PNG under ``var/screenshots/<test>/`` for a human.
- ``expand_details``: open folded ``<details>`` so the checks also see what they hide.
- ``sign_in_with_cookie`` / ``sign_in_with_form``: a persona's session, fast or real.

``tests/browser/test_harness.py`` proves that each check fails on a page built to
break it, so a passing sweep (``test_pages.py``) means something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response
from playwright.sync_api import Error as PlaywrightError

from rehearse.accounts.models import User

REPO = Path(__file__).resolve().parents[2]
AXE_PATH = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"

# The page-weight budget: HTML + CSS + JavaScript, fonts and images excluded.
WEIGHT_BUDGET = 150 * 1024
WEIGHED_TYPES = frozenset({"document", "stylesheet", "script"})

# What the audit checks: WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
# Only serious and critical findings fail a page.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
FAILING_IMPACTS = frozenset({"serious", "critical"})

ColorScheme = Literal["light", "dark"]

# Installed in every page before its own scripts (CDP, so the page's CSP does not apply
# to it): every violation the document reports is kept in window.__cspViolations.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""
CSP_CONSOLE = re.compile(r"content[- ]security[- ]policy", re.IGNORECASE)

# Every visible control, and every pair of them whose boxes cross (by more than a pixel
# each way, so that controls which merely touch, or round differently, pass). A control
# nested in another (a link in a <summary>) is not an overlap; per-line boxes
# (getClientRects) keep a link that wraps onto a second line from claiming the whole
# rectangle around both lines. Boxes under 2 px are the visually-hidden pattern
# (a skip link before it has focus).
OVERLAPS_JS = """
() => {
  const selector = "a, button, input, select, textarea, summary, [tabindex]";
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = [...el.classList].slice(0, 2);
    if (classes.length) name += "." + classes.join(".");
    const label = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || "")
      .trim().replace(/\\s+/g, " ").slice(0, 40);
    return label ? `${name} "${label}"` : name;
  };
  const box = (r) => "[" + [r.left, r.top, r.width, r.height].map(Math.round).join(" ") + "]";
  const controls = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.type === "hidden") continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const rects = [...el.getClientRects()].filter((r) => r.width >= 2 && r.height >= 2);
    if (rects.length) controls.push({el, rects});
  }
  const pairs = [];
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      found: for (const ra of a.rects) {
        for (const rb of b.rects) {
          const dx = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const dy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (dx > 1 && dy > 1) {
            pairs.push([describe(a.el) + " " + box(ra), describe(b.el) + " " + box(rb)]);
            break found;
          }
        }
      }
    }
  }
  return pairs;
}
"""

# The width check's explanation: the elements that stick out past the right edge.
WIDTH_JS = """
() => {
  const width = window.innerWidth;
  const culprits = [];
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0) {
      let name = el.tagName.toLowerCase();
      if (el.id) name += "#" + el.id;
      if (el.classList.length) name += "." + [...el.classList].slice(0, 2).join(".");
      culprits.push(`${name} (right edge ${Math.round(r.right)})`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    culprits: culprits.slice(0, 5),
  };
}
"""

AXE_RUN_JS = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.map(String).join(" >> ")),
  }));
}
"""

# After a colour-scheme switch, let CSS transitions finish before anyone reads colours.
SETTLE_JS = "() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))"


EXPAND_JS = """
async () => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach((details) => { details.open = true; });
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return closed.length;
}
"""


class BrowserUnavailable(Exception):
    """Chromium or axe-core is not installed (the conftest skips, or fails on CI)."""


_axe_source: str | None = None


def axe_source() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_PATH.is_file():
            raise BrowserUnavailable(
                f"axe-core is not installed ({AXE_PATH} is missing): run `npm ci` "
                "in the repository root (`make test` does)."
            )
        _axe_source = AXE_PATH.read_text(encoding="utf-8")
    return _axe_source


@dataclass
class BrowserPage:
    """A Playwright page in its own context, with what the checks need recorded.

    ``console`` keeps every console message of the page's life; ``responses`` the
    responses since the page last navigated its main frame.
    """

    page: Page
    screenshot_dir: Path
    console: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("request", self._on_request)
        self.page.on("response", self._on_response)

    @property
    def context(self) -> BrowserContext:
        return self.page.context

    def _on_console(self, message: ConsoleMessage) -> None:
        self.console.append(f"[{message.type}] {message.text}")

    def _on_request(self, request: Request) -> None:
        # A new document in the main frame: the weight counts from here.
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.responses.clear()

    def _on_response(self, response: Response) -> None:
        self.responses.append(response)

    def goto(self, path: str) -> Response:
        """Open ``path`` (relative to the live server) and wait for the network to rest."""
        response = self.page.goto(path, wait_until="load")
        assert response is not None, f"no response for {path}"
        self.page.wait_for_load_state("networkidle")
        return response

    def color_scheme(self, scheme: ColorScheme) -> None:
        self.page.emulate_media(color_scheme=scheme)
        self.page.evaluate(SETTLE_JS)


def expand_details(bp: BrowserPage) -> int:
    """Open every closed ``<details>`` (a folded answer), so that the checks see what
    it hides too; how many were opened."""
    opened: int = bp.page.evaluate(EXPAND_JS)
    return opened


def csp_violations(bp: BrowserPage) -> list[str]:
    """Every CSP violation reported so far: console messages, then DOM events."""
    found = [line for line in bp.console if CSP_CONSOLE.search(line)]
    events: list[dict[str, Any]] = bp.page.evaluate("() => window.__cspViolations || []")
    found += [
        f"securitypolicyviolation: {event['directive']} blocked {event['blocked'] or '?'} "
        f"at {event['source'] or '?'}:{event['line']} {event['sample'] or ''}".rstrip()
        for event in events
    ]
    return found


def assert_no_csp_violations(bp: BrowserPage) -> None:
    found = csp_violations(bp)
    assert not found, f"CSP violations on {bp.page.url}:\n" + "\n".join(found)


def assert_strict_csp(response: Response) -> None:
    """The document came with a Content-Security-Policy that governs scripts and
    styles and allows nothing inline: without one, "no violation" would mean nothing."""
    policy = response.headers.get("content-security-policy", "")
    assert policy, f"{response.url} has no Content-Security-Policy: no header at all"
    directives = {
        name.lower(): sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }
    problems = [
        f"no {kind}-src nor default-src"
        for kind in ("script", "style")
        if f"{kind}-src" not in directives and "default-src" not in directives
    ]
    problems += [
        f"{name} allows {source}"
        for name, sources in directives.items()
        for source in sources
        if source.lower() in {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"}
    ]
    assert not problems, (
        f"{response.url} has no strict Content-Security-Policy ({'; '.join(problems)}): {policy}"
    )


def axe_violations(bp: BrowserPage) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; every violation, whatever its impact.

    axe goes in through CDP's Runtime.evaluate (``page.evaluate``), which the page's
    CSP does not govern; ``add_script_tag`` would add an inline script the CSP blocks.
    """
    page = bp.page
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN_JS, list(AXE_TAGS))
    return violations


def axe_serious_violations(bp: BrowserPage) -> list[str]:
    """The serious and critical axe violations, one readable line each."""
    return [
        format_violation(violation)
        for violation in axe_violations(bp)
        if violation["impact"] in FAILING_IMPACTS
    ]


def format_violation(violation: dict[str, Any]) -> str:
    targets = violation["targets"]
    more = f" (+{len(targets) - 3} more)" if len(targets) > 3 else ""
    return (
        f"{violation['id']} [{violation['impact']}]: {violation['help']} "
        f"at {', '.join(targets[:3])}{more}"
    )


def response_size(response: Response) -> int:
    """The bytes of a response's body (decoded: at least what went over the wire)."""
    try:
        return len(response.body())
    except PlaywrightError:
        # Redirects have no body Playwright can read; the network layer counted it.
        return response.request.sizes()["responseBodySize"]


def weighed_responses(bp: BrowserPage) -> list[tuple[str, str, int]]:
    """(resource type, URL, bytes) of the HTML, CSS and JavaScript since the last
    navigation, once the network is idle."""
    bp.page.wait_for_load_state("networkidle")
    return [
        (response.request.resource_type, response.url, response_size(response))
        for response in list(bp.responses)
        if response.request.resource_type in WEIGHED_TYPES
    ]


def page_weight(bp: BrowserPage) -> int:
    return sum(size for _, _, size in weighed_responses(bp))


def assert_within_budget(bp: BrowserPage, budget: int = WEIGHT_BUDGET) -> None:
    parts = weighed_responses(bp)
    total = sum(size for _, _, size in parts)
    listing = "\n".join(f"  {size:>8} {kind:<10} {url}" for kind, url, size in parts)
    assert total < budget, (
        f"{bp.page.url} weighs {total} bytes of HTML/CSS/JS, budget {budget}:\n{listing}"
    )


def assert_fits_width(bp: BrowserPage) -> None:
    """The page is no wider than the window: nothing to scroll sideways."""
    found: dict[str, Any] = bp.page.evaluate(WIDTH_JS)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{bp.page.url} scrolls sideways: {found['scrollWidth']} px of content in a "
        f"{found['innerWidth']} px window; sticking out: {', '.join(found['culprits'])}"
    )


def overlapping_controls(bp: BrowserPage) -> list[tuple[str, str]]:
    pairs: list[list[str]] = bp.page.evaluate(OVERLAPS_JS)
    return [(a, b) for a, b in pairs]


def screenshot(bp: BrowserPage, name: str) -> Path:
    """Save a full-page PNG as var/screenshots/<test id>/<name>.png (not committed)."""
    bp.screenshot_dir.mkdir(parents=True, exist_ok=True)
    path = bp.screenshot_dir / f"{safe_name(name)}.png"
    bp.page.screenshot(path=path, full_page=True, animations="disabled")
    return path


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "page"


def session_cookie_for(user: User) -> str:
    """A signed-in session for ``user``, made as django.contrib.auth.login makes one
    (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, user_logged_in); its key."""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    key = request.session.session_key
    assert key is not None
    return key


def sign_in_with_cookie(bp: BrowserPage, user: User, base_url: str) -> None:
    """Sign ``user`` in by handing the browser a session cookie (no page load)."""
    bp.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie_for(user),
                "url": base_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def sign_in_with_form(bp: BrowserPage, email: str, password: str) -> None:
    """Sign in through the real login page, as a person would."""
    bp.goto("/accounts/login/")
    page = bp.page
    form = page.locator("form", has=page.locator("input[type=password]")).first
    form.locator("input[name=username], input[type=email]").first.fill(email)
    form.locator("input[type=password]").first.fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    page.wait_for_load_state("networkidle")
