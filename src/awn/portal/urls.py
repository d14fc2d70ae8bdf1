from django.urls import path
from django.views.generic import RedirectView

app_name = "portal"
urlpatterns = [
    # Replaced by the real portal views.
    path("tickets/", RedirectView.as_view(url="/"), name="tickets"),
]
