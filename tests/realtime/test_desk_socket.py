"""The desk's socket: who may connect, which notices reach whom, presence and typing on a ticket."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from awn.tickets.services import Actor, change_team, create_ticket
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TeamFactory
from tests.realtime.conftest import desk_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


async def nothing_more(socket, timeout=0.5):
    return await socket.receive_nothing(timeout=timeout)


def new_ticket(customer, team, subject="Printer on fire"):
    return create_ticket(requester=customer, subject=subject, body="Help", team=team, by=Actor.of(customer))


@pytest.mark.parametrize("who", ["anonymous", "customer", "former agent"])
def test_only_active_staff_may_connect(who, team):
    from channels.testing import WebsocketCommunicator

    from awn.config.asgi import application

    if who == "anonymous":
        socket = WebsocketCommunicator(application, "/ws/desk/", headers=[(b"origin", b"http://localhost")])
    else:
        person = CustomerFactory() if who == "customer" else AgentFactory(is_active=True)
        socket = desk_socket(person)
        if who == "former agent":
            person.is_active = False
            person.save()

    async def scenario():
        return await socket.connect()

    connected, code = run(scenario)
    assert not connected and code == 4403


def test_a_page_on_another_site_cannot_open_the_desk_socket(agent):
    socket = desk_socket(agent, origin="https://evil.example")

    async def scenario():
        return await socket.connect()

    connected, _code = run(scenario)
    assert not connected


def test_a_new_ticket_reaches_its_teams_agents_and_admins_but_not_other_teams(customer, team, agent):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    admin = AdminFactory()
    sockets = {
        name: desk_socket(person)
        for name, person in {"agent": agent, "outsider": outsider, "admin": admin}.items()
    }

    async def scenario():
        for socket in sockets.values():
            assert (await socket.connect())[0]
        ticket = await sync_to_async(new_ticket)(customer, team)
        seen = {}
        for name in ("agent", "admin"):
            notice = await receive_until(sockets[name], "ticket")
            while notice["name"] != "ticket.created":
                notice = await receive_until(sockets[name], "ticket")
            seen[name] = notice
        quiet = await nothing_more(sockets["outsider"])
        return ticket, seen, quiet

    ticket, seen, quiet = run(scenario)
    assert seen["agent"]["ticket"] == ticket.pk and seen["agent"]["name"] == "ticket.created"
    assert seen["admin"]["ticket"] == ticket.pk
    assert quiet


def test_viewing_a_ticket_outside_ones_view_is_refused(customer):
    other_team = TeamFactory()
    ticket = new_ticket(customer, other_team)
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    socket = desk_socket(outsider)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "view", "ticket": ticket.pk})
        return await receive_until(socket, "error")

    assert run(scenario)["code"] == "forbidden"


def test_agents_on_the_same_ticket_see_each_other_and_who_is_typing(customer, team, agent):
    colleague = AgentFactory(name="Bea Agent")
    team.members.add(colleague)
    ticket = new_ticket(customer, team)
    ada, bea = desk_socket(agent), desk_socket(colleague)

    async def scenario():
        await ada.connect()
        await bea.connect()
        await ada.send_json_to({"type": "view", "ticket": ticket.pk})
        await receive_until(ada, "viewing")
        await bea.send_json_to({"type": "view", "ticket": ticket.pk})
        joined = await receive_until(ada, "presence")
        already_here = await receive_until(bea, "presence")
        await bea.send_json_to({"type": "typing", "ticket": ticket.pk, "on": True, "public": True})
        typing = await receive_until(ada, "presence")
        await bea.disconnect()
        left = await receive_until(ada, "presence")
        return joined, already_here, typing, left

    joined, already_here, typing, left = run(scenario)
    assert (joined["action"], joined["name"]) == ("join", "Bea Agent")
    assert (already_here["action"], already_here["name"]) == ("here", "Ada Agent")
    assert (typing["action"], typing["on"], typing["public"]) == ("typing", True, True)
    assert left["action"] == "leave"


def test_a_new_message_reaches_the_ticket_page_live(customer, team, agent):
    ticket = new_ticket(customer, team)
    socket = desk_socket(agent)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "view", "ticket": ticket.pk})
        await receive_until(socket, "viewing")
        await sync_to_async(create_message)(ticket, customer)
        return await receive_until(socket, "ticket.page")

    def create_message(ticket, customer):
        from awn.tickets.services import add_customer_message

        add_customer_message(ticket=ticket, author=customer, body="Now it is smoking too")

    page = run(scenario)
    assert page["name"] == "ticket.message_added"
    assert page["message"]["html"] == "<p>Now it is smoking too</p>"


def test_a_ticket_moved_to_another_team_leaves_the_view_of_its_viewers(customer, team, agent):
    ticket = new_ticket(customer, team)
    elsewhere = TeamFactory(name="Elsewhere")
    admin = AdminFactory()
    socket = desk_socket(agent)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "view", "ticket": ticket.pk})
        await receive_until(socket, "viewing")
        await sync_to_async(change_team)(ticket=ticket, team=elsewhere, by=Actor.of(admin))
        gone = await receive_until(socket, "ticket.gone")
        await socket.send_json_to({"type": "typing", "ticket": ticket.pk, "on": True})
        return gone, await receive_until(socket, "error")

    gone, error = run(scenario)
    assert gone["ticket"] == ticket.pk
    assert error["code"] == "not_viewing"


def test_a_chat_message_reaches_its_agent_and_the_lists_it_can_change_not_the_whole_team(
    customer, team, agent
):
    from awn.tickets.models import Channel
    from awn.tickets.services import add_customer_message

    ticket = create_ticket(
        requester=customer,
        subject="Chat",
        body="Hi",
        team=team,
        assignee=agent,
        channel=Channel.CHAT,
        by=Actor.of(customer),
    )
    listing, ordered, idle = AgentFactory(), AgentFactory(), AgentFactory()
    team.members.add(listing, ordered, idle)
    sockets = {
        name: desk_socket(person)
        for name, person in {"agent": agent, "listing": listing, "ordered": ordered, "idle": idle}.items()
    }

    async def scenario():
        for socket in sockets.values():
            assert (await socket.connect())[0]
        lists = {
            "listing": {"tickets": [ticket.pk + 1, ticket.pk]},
            "ordered": {"tickets": [], "activity": True},
        }
        for name, frame in lists.items():
            await sockets[name].send_json_to({"type": "list", **frame})
            await sockets[name].send_json_to({"type": "ping"})
            await receive_until(sockets[name], "pong")
        await sync_to_async(add_customer_message)(
            ticket=ticket, author=customer, body="Still there?", channel=Channel.CHAT
        )
        seen = {
            name: await receive_until(sockets[name], "ticket") for name in ("agent", "listing", "ordered")
        }
        return seen, await nothing_more(sockets["idle"])

    seen, quiet = run(scenario)
    assert {notice["name"] for notice in seen.values()} == {"ticket.message_added"}
    assert {notice["ticket"] for notice in seen.values()} == {ticket.pk}
    assert quiet


def test_a_list_that_no_longer_shows_a_chat_hears_no_more_of_it(customer, team, agent):
    from awn.tickets.models import Channel
    from awn.tickets.services import add_customer_message

    ticket = create_ticket(
        requester=customer, subject="Chat", body="Hi", team=team, channel=Channel.CHAT, by=Actor.of(customer)
    )
    socket = desk_socket(agent)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "list", "tickets": [ticket.pk], "activity": True})
        await socket.send_json_to({"type": "list", "tickets": []})
        await socket.send_json_to({"type": "ping"})
        await receive_until(socket, "pong")
        await sync_to_async(add_customer_message)(
            ticket=ticket, author=customer, body="Hello?", channel=Channel.CHAT
        )
        return await nothing_more(socket)

    assert run(scenario)


def test_a_list_frame_without_tickets_gets_an_error_frame(agent):
    socket = desk_socket(agent)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "list", "tickets": "all of them"})
        return await receive_until(socket, "error")

    assert run(scenario)["code"] == "bad_frame"


def test_an_email_message_still_reaches_every_list_of_the_team(customer, team, agent):
    from awn.tickets.services import add_customer_message

    ticket = new_ticket(customer, team)
    socket = desk_socket(agent)

    async def scenario():
        await socket.connect()
        await sync_to_async(add_customer_message)(ticket=ticket, author=customer, body="More smoke")
        return await receive_until(socket, "ticket")

    assert run(scenario)["name"] == "ticket.message_added"
