from awn.accounts.models import STAFF_ROLES, Team, User
from awn.core.prepared import PreparedRead


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")


def teams_of(user: User):
    return Team.objects.filter(members=user)


def find_user_by_email(email: str) -> User | None:
    """The person behind an address, their primary email or any of their extra ones."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return _BY_EMAIL.first(email=email) or _BY_EXTRA_EMAIL.first(email=email)


# With the organization: a new ticket records it, and the API shows it. Every inbound message looks its
# sender up: the SQL is built once per process.
_BY_EMAIL = PreparedRead(
    lambda email: User.objects.select_related("organization").filter(email=email).order_by("pk")[:1],
    email="\x00email",
)
_BY_EXTRA_EMAIL = PreparedRead(
    lambda email: (
        User.objects.select_related("organization").filter(extra_emails__email=email).order_by("pk")[:1]
    ),
    email="\x00email",
)
