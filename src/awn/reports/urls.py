from django.urls import path

from awn.reports.views import dashboard

app_name = "reports"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("export/<slug:report>.csv", dashboard.export, name="export"),
    path("digest/", dashboard.digest_settings, name="digest"),
]
