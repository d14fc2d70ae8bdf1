from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def safe_html(value: str) -> str:
    """Mark HTML that the service layer already sanitized with nh3 (Message.html) as safe to render."""
    return mark_safe(value or "")  # noqa: S308 - only ever applied to sanitized fields


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for sort links and pagination)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def language_label(code: str) -> str:
    """A language code ("fa") as its name in the viewer's language ("Persian"); unknown codes as they are."""
    from django.utils.translation import get_language_info

    if not code:
        return ""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
