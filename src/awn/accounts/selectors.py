from awn.accounts.models import STAFF_ROLES, Team, User


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")


def teams_of(user: User):
    return Team.objects.filter(members=user)


def find_user_by_email(email: str) -> User | None:
    """The person behind an address, their primary email or any of their extra ones."""
    email = (email or "").strip().lower()
    if not email:
        return None
    # With the organization: a new ticket records it, and the API shows it.
    people = User.objects.select_related("organization")
    user = people.filter(email=email).first()
    if user is None:
        user = people.filter(extra_emails__email=email).first()
    return user
