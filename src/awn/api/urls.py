"""/api/: the ninja application (v1 endpoints, /api/openapi.json, /api/docs), JSON for every miss."""

from functools import wraps

from django.http import HttpRequest
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _

from awn.api.api import api
from awn.api.errors import error_response

app_name = "api"


def _json_method_not_allowed(view):
    """ninja answers an unsupported method with an empty 405; clients get the usual JSON error instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 405 and not is_json:
            allowed = response.get("Allow", "")
            response = error_response(
                status=405,
                code="method_not_allowed",
                message=_("This endpoint does not accept %(method)s.") % {"method": request.method},
            )
            if allowed:
                response["Allow"] = allowed
        return response

    return wrapper


def not_found(request: HttpRequest, path: str = ""):
    return error_response(
        status=404, code="not_found", message=_("There is no API endpoint at this address.")
    )


not_found.csrf_exempt = True  # type: ignore[attr-defined]

ninja_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    # ninja's root view answers with an HTML 404, but ninja reverses its name to find the API's prefix.
    URLPattern(
        p.pattern,
        not_found if p.name == "api-root" else _json_method_not_allowed(p.callback),
        p.default_args,
        p.name,
    )
    for p in ninja_patterns
    if isinstance(p, URLPattern)
] + [re_path(r"^(?P<path>.*)$", not_found)]
