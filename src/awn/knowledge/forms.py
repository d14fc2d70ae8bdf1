"""Forms of the help center and of the knowledge base's desk screens: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from awn.knowledge.models import Section, State, Visibility


class KnowledgeForm(forms.Form):
    """Labels without a trailing colon, the same in every language and direction (as in the desk)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FeedbackForm(KnowledgeForm):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Anything we should add or change? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def section_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Sections grouped by category, named in the current language."""
    from django.utils import translation

    language = translation.get_language() or settings.LANGUAGE_CODE
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for section in Section.objects.select_related("category").order_by(
        "category__position", "category_id", "position", "id"
    ):
        label = section.category.name_in(language)
        groups.setdefault(section.category_id, (label, []))[1].append((section.pk, section.name_in(language)))
    return list(groups.values())


class ArticleForm(KnowledgeForm):
    """A translation's text, and (for a new article) where it goes and who may read it."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Address (slug)"),
        max_length=200,
        required=False,
        help_text=_("Empty: made from the title. Any script works."),
    )
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 18, "dir": "auto"}),
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=200, required=False)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    visibility = forms.ChoiceField(label=_("Who can read it"), choices=Visibility.choices)
    publish = forms.BooleanField(label=_("Publish now"), required=False)

    def __init__(self, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices()
        if not new:
            for name in ("section", "visibility"):
                del self.fields[name]


class ArticleSettingsForm(KnowledgeForm):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)
    visibility = forms.ChoiceField(label=_("Who can read it"), choices=Visibility.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices()


class StateForm(KnowledgeForm):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    state = forms.ChoiceField(choices=State.choices)


class UploadForm(KnowledgeForm):
    file = forms.FileField(label=_("Image or attachment"))


class FromMessageForm(KnowledgeForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices()


class NamesForm(KnowledgeForm):
    """A name and description per language, a slug and a position (categories and sections)."""

    slug = forms.CharField(label=_("Address (slug)"), max_length=120, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": name},
                max_length=120,
                required=code == settings.LANGUAGE_CODE,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name}, max_length=500, required=False
            )

    def names(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"name_{code}", "") for code, _name in settings.LANGUAGES}

    def descriptions(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"description_{code}", "") for code, _name in settings.LANGUAGES}

    @staticmethod
    def initial_for(item) -> dict:
        initial = {"slug": item.slug, "position": item.position}
        for code, _name in settings.LANGUAGES:
            initial[f"name_{code}"] = item.names.get(code, "")
            initial[f"description_{code}"] = item.descriptions.get(code, "")
        return initial


class SectionForm(NamesForm):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from awn.knowledge.models import Category

        self.fields["category"].choices = [(c.pk, str(c)) for c in Category.objects.all()]


class BrandingForm(KnowledgeForm):
    name = forms.CharField(label=_("Help center name"), max_length=120, required=False)
    primary_color = forms.CharField(
        label=_("Primary colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    header_color = forms.CharField(
        label=_("Header colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    footer = forms.CharField(
        label=_("Footer (Markdown)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    logo = forms.FileField(label=_("Logo"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
