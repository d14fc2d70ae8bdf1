from django.urls import path

from awn.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.calendars_list, name="list"),
    path("new/", views.calendar_edit, name="new"),
    path("<int:pk>/", views.calendar_edit, name="edit"),
    path("<int:pk>/delete/", views.calendar_delete, name="delete"),
]
