import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from awn.config.wsgi_pool import ThreadPoolHTTP  # noqa: E402
from awn.realtime.broadcast import remember_server_loop  # noqa: E402

# Origin checks and sessions are per route (awn.realtime.routing): the chat widget's socket is opened from
# other websites and checks their origin against the widget's own allow-list.
from awn.realtime.routing import websocket_application  # noqa: E402

# HTTP: Django's synchronous handler on a fixed pool of threads that keep their database connections
# (awn/config/wsgi_pool.py); websockets: Channels.
http_application = ThreadPoolHTTP(threads=settings.AWN_HTTP_THREADS)
router = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})


async def application(scope, receive, send):
    """The server's application. Its first request, of any kind, tells the real-time broadcast which loop
    is the server's: request threads then hand their broadcasts to it, sent over the process's one channel
    layer connection. Before, the loop was learnt only when a websocket connected; until then (an API-only
    process, always) every broadcast ran on a new loop of its own, which with Redis meant a new connection
    pool for each event: +30 ms of CPU per API-created ticket (docs/performance.md)."""
    remember_server_loop()
    await router(scope, receive, send)
