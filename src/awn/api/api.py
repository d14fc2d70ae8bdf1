"""The API v1 application: one NinjaAPI with token auth, JSON errors, and a router per resource."""

from __future__ import annotations

from ninja import NinjaAPI

from awn.api import attachments, messages, organizations, reports, search, teams, tickets, users
from awn.api.auth import TokenAuth
from awn.api.errors import install_error_handlers
from awn.api.parsing import ApiParser, read_json_body

DESCRIPTION = """
The Awn helpdesk API. Authenticate with a personal API token (`awn token create EMAIL`):
`Authorization: Bearer awn_…`. Every answer respects the same visibility rules as the web interface.

Errors are always JSON: `{"error": {"code": "machine_code", "message": "…", "field": "…"}}`.
Lists are paginated: tickets by `cursor` (follow `next_cursor`), everything else by `limit` and `offset`.
"""

api = NinjaAPI(
    title="Awn API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=TokenAuth(),
    parser=ApiParser(),
)
install_error_handlers(api)
api.add_decorator(read_json_body, mode="view")

api.add_router("/v1/tickets", tickets.router)
api.add_router("/v1/tickets", messages.router)
api.add_router("/v1/attachments", attachments.router)
api.add_router("/v1/users", users.router)
api.add_router("/v1/me", users.me_router)
api.add_router("/v1/organizations", organizations.router)
api.add_router("/v1/teams", teams.router)
api.add_router("/v1/search", search.router)
api.add_router("/v1/reports", reports.router)
