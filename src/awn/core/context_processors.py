from django.conf import settings


def awn(request):
    user = getattr(request, "user", None)
    return {
        "helpdesk_name": settings.AWN_HELPDESK_NAME,
        "is_staff_user": bool(user and user.is_authenticated and user.is_staff_member),
    }
