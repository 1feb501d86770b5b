"""Helpers for the browser tests: run axe-core's WCAG 2.1 A/AA rules in a page and report what it finds.

Tests import these (``from tests.browser import assert_no_axe_violations``); the fixtures live in conftest.py.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# axe-core comes from npm (a devDependency in package.json, installed by scripts/setup); the app never serves it.
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: the level public websites in Norway must meet (forskrift om universell
# utforming av IKT). axe's "best-practice" rules are not requirements and stay out.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds in the page as it is now (axe's result objects)."""
    # axe is evaluated through the DevTools protocol (page.evaluate) rather than injected as a <script> tag:
    # the app sends `Content-Security-Policy: script-src 'self'`, which blocks the inline script that
    # page.add_script_tag inserts, and bypass_csp=True would switch the policy off for the whole context, so a
    # page that only works without its CSP would pass. Protocol evaluation is not subject to the page's CSP and
    # leaves it in force for everything the page itself does. Costs ~0.3 s per page (parsing 650 kB); the
    # trailing `void 0` keeps Playwright from serialising the script's completion value back to Python.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;void 0")
    violations: list[dict[str, Any]] = page.evaluate(
        # Only the violations come back: the passes of a 357-row page would cost seconds to serialise.
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(result => result.violations)",
        list(WCAG_TAGS),
    )
    return violations


def format_axe_violations(violations: list[dict[str, Any]]) -> str:
    """One block per violated rule: id, impact, help text and link, then each offending element."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation.get('helpUrl', '')})")
        for node in violation["nodes"]:
            lines.append(f"    target: {' '.join(str(selector) for selector in node['target'])}")
            lines.append(f"      html: {node['html']}")
            summary = str(node.get("failureSummary") or "").replace("\n", "\n            ")
            if summary:
                lines.append(f"      why:  {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail the test, listing every rule and element, if axe finds any WCAG 2.1 A/AA violation in the page."""
    violations = run_axe(page)
    if violations:
        count = sum(len(violation["nodes"]) for violation in violations)
        raise AssertionError(
            f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated by {count} element(s) on {page.url}\n"
            + format_axe_violations(violations)
        )
