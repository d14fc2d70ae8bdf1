"""An id no database column can hold is invalid input: a clear 422 naming the field, never a server error
(SQLite's driver cannot even send such a number), and nothing written."""

import pytest

from awn.accounts.models import Team, User
from awn.tickets.models import Ticket, TicketEvent
from tests.api.conftest import error_of

BEYOND = 10**30  # more than a signed 64-bit integer


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/tickets?team={BEYOND}", "team"),
        (f"/api/v1/tickets?assignee={BEYOND}", "assignee"),
        (f"/api/v1/tickets?requester={BEYOND}", "requester"),
        (f"/api/v1/tickets?organization={BEYOND}", "organization"),
        (f"/api/v1/users?organization={BEYOND}", "organization"),
        (f"/api/v1/reports/volume?team={BEYOND}", "team"),
        (f"/api/v1/reports/volume?agent={BEYOND}", "agent"),
        (f"/api/v1/reports/volume?tag={BEYOND}", "tag"),
        ("/api/v1/reports/volume?tier=7", "tier"),
    ],
)
def test_a_filter_beyond_any_id_is_a_422_naming_it(api_as, admin_user, path, field):
    response = api_as(admin_user).get(path)

    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert error_of(response)["field"] == field


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("patch", "/api/v1/tickets/{ticket}", {"assignee": BEYOND}, "assignee"),
        ("patch", "/api/v1/tickets/{ticket}", {"team": BEYOND}, "team"),
        ("post", "/api/v1/tickets/{ticket}/merge", {"into": BEYOND}, "into"),
        ("post", "/api/v1/teams", {"name": "Night shift", "members": [BEYOND]}, "members.0"),
        ("post", "/api/v1/users", {"email": "new@example.com", "organization": BEYOND}, "organization"),
    ],
)
def test_a_body_naming_an_id_beyond_any_row_is_a_422_and_nothing_is_written(
    api_as, admin_user, ticket, method, path, payload, field
):
    before = (Ticket.objects.count(), TicketEvent.objects.count(), Team.objects.count(), User.objects.count())

    response = getattr(api_as(admin_user), method)(path.format(ticket=ticket.pk), payload)

    assert response.status_code == 422
    assert error_of(response)["field"] == field
    after = (Ticket.objects.count(), TicketEvent.objects.count(), Team.objects.count(), User.objects.count())
    assert after == before


def test_a_multipart_body_that_cannot_be_read_is_a_json_400(client, admin_user, ticket):
    from awn.accounts.api_tokens import create_api_token

    _token, key = create_api_token(user=admin_user)

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/upload",
        b"no boundary here",
        content_type="multipart/form-data",  # without its boundary
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert ticket.messages.count() == 1
