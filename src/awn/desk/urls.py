from django.urls import path
from django.views.generic import RedirectView

app_name = "desk"
urlpatterns = [
    # Replaced by the real inbox view.
    path("", RedirectView.as_view(url="/"), name="inbox"),
]
