"""Who may do what: small `can_*` checks used by views, the API and services alike."""

from awn.accounts.models import Role, User


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff_member)


def can_administer(user) -> bool:
    """Manage users, teams and organizations."""
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def can_manage_team(user, team) -> bool:
    if can_administer(user):
        return True
    return bool(is_staff(user) and user.role == Role.MANAGER and team.members.filter(pk=user.pk).exists())


def can_work_tickets(user: User) -> bool:
    """Reply, note, assign, change status: every active staff member, within their visibility."""
    return is_staff(user)
