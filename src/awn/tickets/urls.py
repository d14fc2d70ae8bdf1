from django.urls import path

from awn.tickets import views

app_name = "tickets"
urlpatterns = [
    path("attachments/<int:pk>/<str:filename>", views.attachment_download, name="attachment"),
]
