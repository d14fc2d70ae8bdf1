"""Who the portal's pages are for: signed-in customers. Staff are sent to the desk instead."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse


def desk_url(number: int | None = None) -> str:
    """The desk's page for a ticket (or its inbox); the desk may not define a ticket page yet."""
    if number is not None:
        try:
            return reverse("desk:ticket", args=[number])
        except NoReverseMatch:
            pass
    return reverse("desk:inbox")


def customer_page(view):
    """Anonymous visitors sign in first; staff go to the same thing in the desk."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.is_staff_member:
            return redirect(desk_url(kwargs.get("number")))
        return view(request, *args, **kwargs)

    return wrapper
