"""A NUL character in a query string is dropped before any view reads it: PostgreSQL cannot compare text
holding one, and searching for it must be an ordinary search, not a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/desk/admin/users/", "/desk/admin/organizations/", "/desk/knowledge/"])
def test_a_search_with_a_nul_character_is_an_ordinary_search(client, admin_user, path):
    client.force_login(admin_user)

    response = client.get(path + "?q=%00")

    assert response.status_code == 200


def test_the_nul_is_dropped_and_the_rest_of_the_words_searched(client, admin_user):
    client.force_login(admin_user)

    page = client.get("/desk/admin/users/?q=Ad%00am").content.decode()

    assert "Adam Admin" in page


def test_a_query_without_nul_is_left_as_it_is(rf):
    from awn.core.nul import NulFreeQueryMiddleware

    request = rf.get("/desk/?q=100%25&tag=a&tag=b")
    original = request.GET
    seen = []

    NulFreeQueryMiddleware(lambda r: seen.append(r.GET))(request)

    assert seen == [original]
    assert seen[0].getlist("tag") == ["a", "b"] and seen[0]["q"] == "100%"
