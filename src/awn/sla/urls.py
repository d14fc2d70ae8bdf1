from django.urls import path

from awn.sla import views

app_name = "sla"
urlpatterns = [
    path("policies/", views.policies_list, name="policies"),
    path("policies/new/", views.policy_edit, name="policy_new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy"),
    path("policies/<int:pk>/move/", views.policy_move, name="policy_move"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
]
