"""Websocket routes. The desk's socket is for same-origin pages with a session; the widget's socket is opened
from other websites, so its consumer checks the page's origin against the widget's own allow-list instead."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from awn.realtime.consumers.desk import DeskConsumer
from awn.realtime.consumers.visitor import VisitorConsumer

websocket_urlpatterns = [
    path("ws/chat/<str:widget_key>/", VisitorConsumer.as_asgi()),
    path("ws/desk/", AllowedHostsOriginValidator(AuthMiddlewareStack(DeskConsumer.as_asgi()))),
]

websocket_application = URLRouter(websocket_urlpatterns)
