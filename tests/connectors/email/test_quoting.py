"""Cutting quoted history from HTML never loses what the customer wrote: whatever the markup, what is kept
is the start of the original, and a cut never leaves a message without text."""

import re
from html import unescape

from hypothesis import example, given, settings
from hypothesis import strategies as st

from awn.connectors.email import quoting

LINES = st.sampled_from(
    [
        "Thanks, that fixed it.",
        "On Tue, 5 Mar 2024 at 10:00, Support <support@acme.example> wrote:",
        "في 5 مارس 2024، كتب فريق الدعم <support@acme.example>:",
        "> Unplug it.",
        "From: Support <support@acme.example>",
        "Sent: Tuesday, March 5, 2024 10:00",
        "---------- Forwarded message ---------",
        "-- ",
        "I wrote:",
        "",
        "&gt; quoted &amp; escaped",
    ]
)
TAGS = st.sampled_from(["div", "p", "blockquote", "span", "br", "li", "pre", "h1"])


@st.composite
def html_documents(draw):
    parts = []
    for line in draw(st.lists(LINES, max_size=12)):
        tag = draw(TAGS)
        parts.append(f"<{tag}>{line}" if tag == "br" else f"<{tag}>{line}</{tag}>")
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), '<div class="gmail_quote">')
    return "".join(parts) + draw(st.text(max_size=20))


@settings(max_examples=300, deadline=None)
@given(html_documents())
@example('<div>Fine now.</div><div>On 5 Mar 2024, at 10:00, Support wrote:</div><blockquote type="cite">x')
@example("<p>--</p>")
def test_what_is_kept_is_the_start_of_the_original_and_never_empty(html):
    kept, cut = quoting.strip_html(html)

    assert html.startswith(kept)
    assert cut == (kept != html)
    if cut:
        assert unescape(re.sub(r"<[^>]+>", "", kept)).strip()
