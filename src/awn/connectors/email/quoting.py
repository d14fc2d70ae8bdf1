"""Cut quoted history and signatures from replies; the full original stays on the stored raw email.

Text: the first line that introduces a quote ("On … wrote:", Outlook's header block, "-----Original
Message-----", their Arabic and Persian forms) or the "-- " signature separator ends the new text. HTML: the
first quote container of the common clients (Gmail, Apple Mail, Outlook, Thunderbird, Yahoo) ends it, or,
before it or without one, the first line (between block tags and <br>) that the text rules would cut at:
webmail and older clients quote in plain <div>s and <p>s.
A forwarded message is never cut: forwarding is its content. When cutting would leave nothing, nothing is cut.
"""

from __future__ import annotations

import re
from html import unescape

_WROTE = r"(wrote|writes|a écrit|schrieb|escribió|scrisse|schreef|написал|كتب|نوشت|نوشته است)"
TEXT_MARKERS = [
    re.compile(rf"^\s*(On|Le|Am|El|Il|Op|في|در)\b.{{0,200}}{_WROTE}\s*:?\s*$", re.IGNORECASE),
    # Arabic clients put the verb before the name: "في …، كتب فريق الدعم <support@…>:"
    re.compile(rf"^\s*(On|في)\b.{{0,200}}{_WROTE}\b.{{0,200}}:\s*$", re.IGNORECASE),
    # "2024-01-05 10:00 GMT+3, Rita <rita@…> wrote:": a date or an address before the verb, so that a
    # sentence of the new text ending in "I wrote:" is not taken for a quote.
    re.compile(rf"^.{{0,200}}(\d|@).{{0,200}}{_WROTE}\s*:\s*$", re.IGNORECASE),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Message d'origine|Ursprüngliche Nachricht|الرسالة الأصلية|"
        r"پیام اصلی)\s*-{2,}\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*_{20,}\s*$"),  # Outlook's rule above its header block
]
# Outlook's header block: "From:" followed within a few lines by "Sent:"/"Date:" (and their translations).
OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De|Von|من|از)\s*:\*?\s", re.IGNORECASE)
OUTLOOK_SENT = re.compile(
    r"^\s*\*?(Sent|Date|Envoyé|Gesendet|تم الإرسال|التاريخ|ارسال شده|تاریخ)\s*:", re.IGNORECASE
)
SIGNATURE = re.compile(r"^-- ?$")
MOBILE_FOOTER = re.compile(
    r"^\s*(Sent from my \w+|Get Outlook for \w+|Sent from Mail for Windows|"
    r"أُرسلت من|ارسال شده از)",
    re.IGNORECASE,
)
FORWARD = re.compile(
    r"^\s*(-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:|"
    r"-{2,}\s*(Forwarded|رسالة مُعاد توجيهها|پیام ارسال شده)|-{2,}\s*Weitergeleitete)",
    re.IGNORECASE,
)


def strip_text(text: str) -> tuple[str, bool]:
    """(new text, whether something was cut)."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    # Quoted lines (">") count as trailing history only after the last line of new text.
    last_own = max(
        (i for i, line in enumerate(lines) if line.strip() and not line.startswith(">")), default=-1
    )
    cut = None
    for index, line in enumerate(lines):
        if FORWARD.match(line):
            break
        joined = line + " " + lines[index + 1] if index + 1 < len(lines) else line  # Gmail wraps it
        if (
            SIGNATURE.match(line)
            or TEXT_MARKERS[0].match(joined)
            or any(marker.match(line) for marker in TEXT_MARKERS)
            or _outlook_block(lines, index)
        ):
            cut = index
            break
        if line.startswith(">") and index > last_own:
            cut = index
            break
    kept = lines if cut is None else lines[:cut]
    while kept and (not kept[-1].strip() or MOBILE_FOOTER.match(kept[-1])):
        kept.pop()
    result = "\n".join(kept).strip()
    if not result:
        return (text or "").strip(), False
    return result, result != (text or "").strip()


def _outlook_block(lines: list[str], index: int) -> bool:
    if not OUTLOOK_FROM.match(lines[index]):
        return False
    return any(OUTLOOK_SENT.match(line) for line in lines[index + 1 : index + 4])


HTML_MARKERS = re.compile(
    r"<(div|blockquote|section)\b[^>]*(class=\"[^\"]*\b(gmail_quote|yahoo_quoted|moz-cite-prefix|"
    r"OutlookMessageHeader)\b[^\"]*\"|type=\"?cite\"?|id=\"?(appendonsend|divRplyFwdMsg|mail-editor-reference-message-container)\"?)"
    r"|<hr\b[^>]*id=\"?stopSpelling\"?"
    r"|<(div|span|table)\b[^>]*class=\"[^\"]*\b(gmail_signature|moz-signature)\b",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")


def strip_html(html: str) -> tuple[str, bool]:
    """(new HTML, whether something was cut); unclosed tags are closed by the sanitizer afterwards."""
    if not html:
        return html, False
    lines = _html_lines(html)
    line = _first_marker_line(lines)
    if any(FORWARD.match(text) for _start, text in lines[: line + 1]):
        return html, False  # forwarded before any quote: the forwarded message is the content
    cuts = []
    match = HTML_MARKERS.search(html)
    if match:
        rest_text = _TAG.sub(" ", html[match.start() : match.start() + 2000])
        if (
            any(FORWARD.match(line) for line in rest_text.splitlines()[:30])
            or "Forwarded message" in rest_text
        ):
            return html, False
        cuts.append(match.start())
    if line < len(lines):
        cuts.append(lines[line][0])
    if not cuts:
        return html, False
    kept = html[: min(cuts)]
    if not unescape(_TAG.sub("", kept)).strip():
        return html, False
    return kept, True


# Where a line ends in HTML: <br>, and the tags that open or close a block.
_LINE_BREAK = re.compile(
    r"<(?:br|hr|p|div|blockquote|li|tr|table|pre|h[1-6])\b[^>]*>|</(?:p|div|blockquote|li|tr|table|pre|h[1-6])\s*>",
    re.IGNORECASE,
)


def _html_lines(html: str) -> list[tuple[int, str]]:
    """The HTML's non-empty lines as (offset of the tag that starts the line, its text)."""
    starts = [0, *(m.start() for m in _LINE_BREAK.finditer(html))]
    ends = [*starts[1:], len(html)]
    lines = []
    for start, end in zip(starts, ends, strict=True):
        text = unescape(_TAG.sub("", html[start:end])).replace("\xa0", " ").strip("\r\n")
        if text.strip():
            lines.append((start, text))
    return lines


def _first_marker_line(lines: list[tuple[int, str]]) -> int:
    """The index of the first line the text rules cut at (len(lines): none). Quoted lines (">") count only
    after the last line of new text, as in plain text."""
    texts = [text for _start, text in lines]
    last_own = max((i for i, text in enumerate(texts) if not text.lstrip().startswith(">")), default=-1)
    for index, text in enumerate(texts):
        if FORWARD.match(text):
            return len(texts)
        joined = text + " " + texts[index + 1] if index + 1 < len(texts) else text
        if (
            SIGNATURE.match(text.strip(" "))
            or TEXT_MARKERS[0].match(joined)
            or any(marker.match(text) for marker in TEXT_MARKERS)
            or _outlook_block(texts, index)
            or (text.lstrip().startswith(">") and index > last_own)
        ):
            return index
    return len(texts)
