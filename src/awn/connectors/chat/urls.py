from django.urls import path

from awn.connectors.chat.views import desk, widget

app_name = "chat"
urlpatterns = [
    path("chat/api/<str:key>/config/", widget.widget_config, name="widget_config"),
    path("chat/api/<str:key>/upload/", widget.widget_upload, name="widget_upload"),
    path("desk/chats/", desk.console, name="console"),
    path("desk/chats/lists/", desk.console_lists, name="lists"),
    path("desk/chats/availability/", desk.set_availability, name="availability"),
    path("desk/chats/<int:pk>/", desk.conversation, name="conversation"),
    path("desk/chats/<int:pk>/accept/", desk.accept, name="accept"),
    path("desk/chats/<int:pk>/reply/", desk.reply, name="reply"),
    path("desk/chats/<int:pk>/transfer/", desk.transfer, name="transfer"),
    path("desk/chats/<int:pk>/end/", desk.end, name="end"),
    path("desk/chats/widgets/", desk.widgets, name="widgets"),
    path("desk/chats/widgets/new/", desk.widget_new, name="widget_new"),
    path("desk/chats/widgets/<int:pk>/", desk.widget_edit, name="widget"),
    path("desk/chats/widgets/<int:pk>/secret/", desk.widget_rotate_secret, name="widget_secret"),
]
