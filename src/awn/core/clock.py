"""The one source of the current time, so tests and benchmarks can reason about it."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
