"""Template tags of the knowledge base: names of categories and sections in the reader's language."""

from django import template

register = template.Library()


@register.simple_tag
def name_in(item, language: str) -> str:
    return item.name_in(language)


@register.simple_tag
def description_in(item, language: str) -> str:
    return item.description_in(language)
