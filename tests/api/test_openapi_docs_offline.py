def test_the_api_docs_page_uses_our_own_swagger_files_not_a_cdn(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_the_swagger_bundle_is_served(client):
    response = client.get("/static/ninja/swagger-ui-bundle.js")

    assert response.status_code == 200
