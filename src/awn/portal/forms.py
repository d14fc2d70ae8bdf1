"""Forms of the customer portal: new request, reply, public contact form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from awn.tickets.inbound import IncomingFile


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, refused as a whole (with a clear message) when one is too large or too many."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(AttachmentsField, self).clean(item, initial) for item in items if item]
        if len(files) > settings.AWN_MAX_ATTACHMENTS:
            raise forms.ValidationError(
                ngettext(
                    "At most %(count)d file can be attached.",
                    "At most %(count)d files can be attached.",
                    settings.AWN_MAX_ATTACHMENTS,
                )
                % {"count": settings.AWN_MAX_ATTACHMENTS},
                code="too_many",
            )
        limit = settings.AWN_MAX_ATTACHMENT_BYTES
        for upload in files:
            # The size the upload handler counted: nothing is read into memory to refuse a huge file.
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB per file.")
                    % {
                        "name": upload.name,
                        "size": round(upload.size / 1048576, 1),
                        "limit": round(limit / 1048576, 1),
                    },
                    code="too_large",
                )
        return files


def incoming_files(uploads: list[UploadedFile]) -> tuple[IncomingFile, ...]:
    return tuple(IncomingFile.from_upload(upload) for upload in uploads)


def _attachments_help() -> str:
    return _("Up to %(count)d files, %(limit)s MB each.") % {
        "count": settings.AWN_MAX_ATTACHMENTS,
        "limit": round(settings.AWN_MAX_ATTACHMENT_BYTES / 1048576, 1),
    }


class RequestForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=255, widget=forms.TextInput(attrs={"autofocus": True})
    )
    message = forms.CharField(label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _attachments_help()


class ReplyForm(forms.Form):
    message = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _attachments_help()


HONEYPOT_FIELD = "company_website"


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = AttachmentsField()
    # Hidden from people (CSS class .honeypot, out of the tab order); bots that fill every field give
    # themselves away.
    company_website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _attachments_help()

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT_FIELD, "").strip())
