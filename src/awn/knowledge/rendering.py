"""Markdown to safe HTML: articles and the help center's footer are written in Markdown and stored rendered.

markdown-it-py parses CommonMark (plus tables and strikethrough) with raw HTML turned off, so what an author
types as `<script>` shows as text; the result then goes through `awn.core.sanitize.sanitize_html` like every
other piece of HTML Awn shows, which removes dangerous URLs (`javascript:`) and anything else nh3 refuses.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt

from awn.core.sanitize import html_to_text, sanitize_html

MAX_MARKDOWN = 200_000  # characters; an article longer than this is a book


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str) -> str:
    """Sanitized HTML of `source`."""
    if not source or not source.strip():
        return ""
    return sanitize_html(_parser().render(source[:MAX_MARKDOWN]))


def plain_text(html: str) -> str:
    """The text of rendered HTML: for the search index, excerpts and replies quoting an article."""
    return html_to_text(html)
