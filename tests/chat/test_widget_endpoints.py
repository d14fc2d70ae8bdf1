import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from awn.connectors.chat.identity import visitor_token
from awn.connectors.chat.models import ChatSession, ProactiveTrigger
from awn.tickets.models import Attachment, Message

pytestmark = pytest.mark.django_db
SHOP = "https://shop.example"


def config(client, widget, origin=SHOP, lang="en"):
    return client.get(reverse("chat:widget_config", args=[widget.key]), {"lang": lang}, HTTP_ORIGIN=origin)


def upload(client, widget, token, *, content=b"%PDF-1.4 invoice", name="invoice.pdf", origin=SHOP, text=""):
    return client.post(
        reverse("chat:widget_upload", args=[widget.key]),
        {"token": token, "text": text, "file": SimpleUploadedFile(name, content, "application/pdf")},
        HTTP_ORIGIN=origin,
    )


def test_the_widget_settings_answer_an_allowed_origin_with_cors(client, widget):
    response = config(client, widget)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response["Vary"]
    data = response.json()
    assert data["title"] == "Chat with us" and data["dir"] == "ltr"


def test_the_widget_settings_refuse_an_origin_that_is_not_allowed(client, widget):
    response = config(client, widget, origin="https://evil.example")

    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response


def test_a_widget_with_no_allowed_origins_is_closed_to_every_site(client, widget):
    widget.allowed_origins = []
    widget.save()

    assert config(client, widget).status_code == 404


def test_an_inactive_widget_is_not_available(client, widget):
    widget.active = False
    widget.save()

    assert config(client, widget).status_code == 404


@pytest.mark.parametrize(
    ("lang", "direction"), [("ar", "rtl"), ("fa-IR", "rtl"), ("en-GB", "ltr"), ("xx", "ltr")]
)
def test_the_widget_speaks_the_browsers_language(client, widget, lang, direction):
    data = config(client, widget, lang=lang).json()

    assert data["dir"] == direction


def test_the_widgets_own_language_wins_over_the_browsers(client, widget):
    widget.language = "ar"
    widget.save()

    data = config(client, widget, lang="en").json()

    assert data["language"] == "ar" and data["dir"] == "rtl"


def test_proactive_messages_are_part_of_the_settings(client, widget):
    ProactiveTrigger.objects.create(
        widget=widget, path_pattern="/pricing", delay_seconds=30, message="Questions?"
    )
    ProactiveTrigger.objects.create(
        widget=widget, path_pattern="/old", delay_seconds=5, message="x", active=False
    )

    data = config(client, widget).json()

    assert data["triggers"] == [{"path": "/pricing", "delay": 30, "message": "Questions?"}]


def test_a_visitor_uploads_a_file_into_the_chat(client, widget, visitor):
    response = upload(client, widget, visitor_token(visitor))

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SHOP
    attachment = Attachment.objects.get()
    assert attachment.filename == "invoice.pdf"
    assert attachment.message.ticket.chat_session.visitor == visitor
    assert response.json()["message"]["files"] == [{"name": "invoice.pdf", "size": 16}]


@override_settings(AWN_CHAT_MAX_FILE_BYTES=10)
def test_a_file_over_the_limit_is_refused_and_nothing_is_written(client, widget, visitor):
    response = upload(client, widget, visitor_token(visitor), content=b"x" * 11)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "attachment_too_large"
    assert not Message.objects.exists()


def test_an_upload_with_a_forged_token_is_refused(client, widget):
    response = upload(client, widget, "forged-token")

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_an_upload_from_another_site_is_refused(client, widget, visitor):
    response = upload(client, widget, visitor_token(visitor), origin="https://evil.example")

    assert response.status_code == 403
    assert not ChatSession.objects.exists()


@override_settings(AWN_CHAT_UPLOADS_PER_HOUR=1)
def test_uploads_are_rate_limited_per_visitor(client, widget, visitor):
    upload(client, widget, visitor_token(visitor))

    response = upload(client, widget, visitor_token(visitor))

    assert response.status_code == 429
    assert Attachment.objects.count() == 1
