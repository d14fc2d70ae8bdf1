import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

# Origin checks and sessions are per route (awn.realtime.routing): the chat widget's socket is opened from
# other websites and checks their origin against the widget's own allow-list.
from awn.realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi, "websocket": websocket_application})
