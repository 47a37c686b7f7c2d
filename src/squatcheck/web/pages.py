"""The three HTML pages: one shared layout (head, header, error line) around each page's main.

``pages/layout.html`` holds what every page has; ``pages/<name>.html`` only
that page's ``<main>`` content. Pages are plain HTML driven by their ES module
in ``static/``; they are assembled once and served from memory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

PAGES_DIR = Path(__file__).parent / "pages"
# page name -> (title after "squatcheck — ", its module in static/)
PAGES = {
    "index": ("analyse a squat", "home.js"),
    "analysis": ("analysis", "analysis.js"),
    "history": ("history", "history.js"),
}


@cache
def render_page(name: str) -> str:
    """The whole HTML document of page ``name`` (a key of ``PAGES``)."""
    title, script = PAGES[name]
    layout = Template((PAGES_DIR / "layout.html").read_text(encoding="utf-8"))
    main = (PAGES_DIR / f"{name}.html").read_text(encoding="utf-8")
    return layout.substitute(title=title, script=script, main=main)
