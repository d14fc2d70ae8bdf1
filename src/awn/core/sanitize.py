"""Sanitizing of every piece of HTML that a customer, an agent or an email can send (nh3)."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"dir", "lang"},
}
# No style attribute at all: CSS can hide text, overlay the page or exfiltrate through url().
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


def sanitize_html(value: str) -> str:
    """Return HTML safe to render inside our pages: no scripts, handlers, styles or dangerous URLs."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_BLOCK_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote)\s*/?>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """Plain text of an HTML body, for search, notifications and the text/plain part of emails."""
    cleaned = nh3.clean(
        value or "",
        tags={"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"},
        attributes={},
    )
    text = _BLOCK_BREAKS.sub("\n", cleaned)
    text = html.unescape(_TAGS.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def text_to_html(value: str) -> str:
    """Safe HTML of a plain-text body: escaped, paragraphs and line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", (value or "").strip())
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip())
