from django.urls import path

from awn.desk.views import admin, calls, inbox, search, ticket

app_name = "desk"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("bulk/", inbox.bulk_update, name="bulk"),
    path("search/", search.search, name="search"),
    path("calls/new/", calls.log_call, name="log_call"),
    path("tickets/new/", calls.new_ticket, name="new_ticket"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", ticket.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/status/", ticket.ticket_status, name="ticket_status"),
    path("tickets/<int:number>/priority/", ticket.ticket_priority, name="ticket_priority"),
    path("tickets/<int:number>/assignee/", ticket.ticket_assignee, name="ticket_assignee"),
    path("tickets/<int:number>/take/", ticket.ticket_take, name="ticket_take"),
    path("tickets/<int:number>/team/", ticket.ticket_team, name="ticket_team"),
    path("tickets/<int:number>/tags/", ticket.ticket_tags, name="ticket_tags"),
    path("tickets/<int:number>/merge/", ticket.ticket_merge, name="ticket_merge"),
    path("admin/", admin.admin_home, name="admin"),
    path("admin/users/", admin.users_list, name="admin_users"),
    path("admin/users/new/", admin.user_new, name="admin_user_new"),
    path("admin/users/<int:pk>/", admin.user_edit, name="admin_user"),
    path("admin/users/<int:pk>/erase/", admin.user_erase, name="admin_user_erase"),
    path("admin/teams/", admin.teams_list, name="admin_teams"),
    path("admin/teams/new/", admin.team_new, name="admin_team_new"),
    path("admin/teams/<int:pk>/", admin.team_edit, name="admin_team"),
    path("admin/organizations/", admin.organizations_list, name="admin_organizations"),
    path("admin/organizations/new/", admin.organization_new, name="admin_organization_new"),
    path("admin/organizations/<int:pk>/", admin.organization_edit, name="admin_organization"),
]
