import factory

from awn.connectors.chat.models import ChatWidget


class ChatWidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatWidget

    name = factory.Sequence(lambda n: f"Widget {n}")
    allowed_origins = ["https://shop.example"]
