from django.urls import path

from awn.portal.views import contact, home, tickets

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/new/", tickets.ticket_new, name="ticket_new"),
    path("tickets/<int:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/solve/", tickets.ticket_solve, name="ticket_solve"),
    path("tickets/<int:number>/reopen/", tickets.ticket_reopen, name="ticket_reopen"),
    path("contact/", contact.contact, name="contact"),
]
