from django.shortcuts import redirect, render

from awn.portal.views.access import desk_url


def home(request):
    """The help center's front page; staff land in the desk."""
    if request.user.is_authenticated and request.user.is_staff_member:
        return redirect(desk_url())
    return render(request, "portal/home.html")
