import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from awn.config.wsgi_pool import ThreadPoolHTTP  # noqa: E402

# Origin checks and sessions are per route (awn.realtime.routing): the chat widget's socket is opened from
# other websites and checks their origin against the widget's own allow-list.
from awn.realtime.routing import websocket_application  # noqa: E402

# HTTP: Django's synchronous handler on a fixed pool of threads that keep their database connections
# (awn/config/wsgi_pool.py); websockets: Channels.
http_application = ThreadPoolHTTP(threads=settings.AWN_HTTP_THREADS)
application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
