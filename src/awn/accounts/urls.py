from django.urls import path

from awn.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/link/", views.link_request_view, name="link_request"),
    path("login/link/<str:token>/", views.link_sign_in_view, name="link_sign_in"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("signup/", views.signup_view, name="signup"),
    path("profile/", views.profile_view, name="profile"),
]
