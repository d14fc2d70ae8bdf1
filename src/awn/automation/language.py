"""Offline language detection of incoming messages (lingua); the ticket service stores what it finds on the
message and the ticket, in the transaction that writes the message.

The detector is built once per process, lazily, and only for the languages Awn ships plus common ones, so
that Arabic is told from Persian (and Urdu) without weighing every language lingua knows. Its statistical
models load on first use of each script (seconds for the Latin-script languages): `awn run` loads them in a
background thread at start-up (`preload_in_background`), so the first customer message does not wait.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

# ISO 639-1 codes: Awn's own languages first, then common languages of support mail, including the
# neighbours of Arabic and Persian script that must not be confused with them.
LANGUAGES = ("en", "ar", "fa", "ur", "fr", "de", "es", "pt", "it", "nl", "tr", "ru", "he", "hi", "zh", "ja")
MIN_LETTERS = 12  # shorter Latin-script text ("ok", "thanks!") is too little to tell languages apart
MAX_CHARS = 2000  # the opening of a message says which language it is in; quoted history below it may not
# The languages that share a script with another of LANGUAGES: lingua tells them apart with statistical models
# (~320 MB for these). The others (Hebrew, Russian, Hindi, Chinese, Japanese) it tells by their alphabet.
MODEL_LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl", "tr", "ar", "fa", "ur")
PRELOAD_PAUSE_SECONDS = 0.2
# From this many characters on, lingua's low-accuracy mode (trigram models only) decides as well as the full
# one (lingua's documentation: the two differ on short texts), for about half the CPU: 0.39 against 0.69 ms
# on the benchmark's opening messages (142 characters on average), with the same answer for all 300.
LONG_TEXT = 120

log = logging.getLogger(__name__)

_detectors: dict[bool, Any] = {}
_lock = threading.Lock()


def _build(*, low_accuracy: bool) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.1)
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def detector(*, low_accuracy: bool = False) -> Any:
    """The process's detector (built once): the full one, or the low-accuracy one for long texts."""
    found = _detectors.get(low_accuracy)
    if found is None:
        with _lock:
            found = _detectors.get(low_accuracy)
            if found is None:
                found = _detectors[low_accuracy] = _build(low_accuracy=low_accuracy)
    return found


def _language(code: str) -> Any:
    from lingua import IsoCode639_1, Language

    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))


def preload_models(*, pause: float = PRELOAD_PAUSE_SECONDS) -> None:
    """Load the statistical models of MODEL_LANGUAGES, one language at a time.

    lingua holds the GIL while it loads a model (0.2-0.7 s of CPU per language), so loading them all at once
    would stop a server's event loop for seconds; one at a time, with a pause between, the loop gets turns.
    The models are shared by every detector of the process, so `detector()` finds them loaded.
    """
    from lingua import LanguageDetectorBuilder

    partner = _language("he")  # a builder needs two languages; Hebrew's alphabet needs no model
    for code in MODEL_LANGUAGES:
        LanguageDetectorBuilder.from_languages(
            _language(code), partner
        ).with_preloaded_language_models().build()
        time.sleep(pause)
    detector()
    detector(low_accuracy=True)


def preload_in_background() -> threading.Thread:
    """Start loading the models in a daemon thread (`awn run`: the first message must not wait for them)."""

    def run() -> None:
        try:
            preload_models()
        except Exception:  # detection still works: the models then load on first use
            log.exception("preloading the language models failed")

    thread = threading.Thread(target=run, name="awn-language-models", daemon=True)
    thread.start()
    return thread


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text`'s language, or "" when it is too short or too ambiguous to say."""
    text = (text or "").strip()[:MAX_CHARS]
    letters = sum(1 for char in text if char.isalpha())
    if letters == 0:
        return ""
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    if latin == letters and letters < MIN_LETTERS:
        return ""
    found = detector(low_accuracy=len(text) >= LONG_TEXT).detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else ""
