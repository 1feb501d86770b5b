"""The documentation stays true to the code: the index reaches every document, and every command and route a
document names exists (datasette's test_docs.py is the model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
# These describe SSB's and KLASS's own APIs: their paths (/config, /tables …) are not the monitor's routes.
EXTERNAL_API_DOCS = {"fake-ssb.md", "fetch.md", "http.md", "ssb-client.md"}
DOWNLOAD_SUFFIX = re.compile(r"\.(csv|xlsx|json|jsonstat|pdf|html)$")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"(?:^|[\s/])boligmonitor ([a-z][a-z-]*)")
ROUTE_PARAMETER = re.compile(r"\{[^}]+\}")


def documents() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def code_texts(path: Path) -> list[str]:
    """The inline code spans and the lines of fenced code blocks of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    fenced = [line for block in FENCE.findall(text) for line in block.splitlines()[1:-1]]
    return INLINE_CODE.findall(FENCE.sub("", text)) + fenced


def linked_documents(index: Path) -> set[Path]:
    links = re.findall(r"\]\(([^)#]+\.md)\)", index.read_text(encoding="utf-8"))
    return {(index.parent / link).resolve() for link in links}


def route_patterns() -> list[re.Pattern[str]]:
    from boligmonitor.web.app import site_routers
    from boligmonitor.web.auth.routes import router as auth_router

    patterns = []
    for router in (*site_routers(), auth_router):
        for route in router.routes:
            path = getattr(route, "path", None)
            if path is not None:
                parts = ROUTE_PARAMETER.split(path)
                patterns.append(re.compile("[^/]+".join(re.escape(part) for part in parts) + "$"))
    patterns.append(re.compile(re.escape("/openapi.json") + "$"))  # FastAPI's own
    return patterns


def named_routes(path: Path) -> list[str]:
    """Spans that name a monitor URL: they start with "/" and a lower-case letter (PDF names such as /Lang do not)."""
    routes = []
    for span in code_texts(path):
        for word in span.split():
            if re.match(r"^/([a-z]|$)", word):
                routes.append(word)
    return routes


def test_the_index_reaches_every_document() -> None:
    reached = linked_documents(DOCS / "index.md")
    missing = [str(doc.relative_to(DOCS)) for doc in documents() if doc.name != "index.md" and doc not in reached]
    assert not missing, f"docs/index.md does not link: {missing}"
    broken = [str(doc) for doc in reached if not doc.is_file()]
    assert not broken, f"docs/index.md links missing files: {broken}"


def test_the_readme_points_to_the_index_and_the_architecture() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/index.md" in readme and "docs/architecture.md" in readme


@pytest.mark.parametrize("path", [*documents(), REPO / "README.md"], ids=lambda p: str(p.relative_to(REPO)))
def test_every_command_named_exists(path: Path) -> None:
    from boligmonitor.cli.app import app

    commands = {command.name for command in app.registered_commands if command.name}
    commands |= {group.name for group in app.registered_groups if group.name}  # sub-apps: `boligmonitor user …`
    named = {match for text in code_texts(path) for match in COMMAND.findall(text)}
    unknown = sorted(named - commands)
    assert not unknown, f"{path.name} names commands that do not exist: {unknown} (known: {sorted(commands)})"


@pytest.mark.parametrize(
    "path",
    [doc for doc in documents() if doc.name not in EXTERNAL_API_DOCS] + [REPO / "README.md"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_every_route_named_exists(path: Path) -> None:
    patterns = route_patterns()
    unknown = []
    for named in named_routes(path):
        url = named.split("?")[0].rstrip(".,;:)").replace("…", "x")
        if url.endswith("/") and len(url) > 1 and not url.startswith("/api/v1"):
            found = any(pattern.pattern.startswith(re.escape(url)) for pattern in patterns)
        else:
            bare = DOWNLOAD_SUFFIX.sub("", url)
            found = any(pattern.match(url) or pattern.match(bare) for pattern in patterns)
        if not found:
            unknown.append(named)
    assert not unknown, f"{path.name} names routes that do not exist: {unknown}"


def test_the_route_check_catches_a_misspelt_route(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("See `/rangeringer?fylke=46` and `/region/{code}/tema/{theme}` and `/Lang`.\n", encoding="utf-8")
    patterns = route_patterns()
    names = named_routes(doc)
    assert names == ["/rangeringer?fylke=46", "/region/{code}/tema/{theme}"]
    assert not any(p.match("/rangeringer") for p in patterns)
    assert any(p.match("/region/{code}/tema/{theme}") for p in patterns)
