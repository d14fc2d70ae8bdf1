import pytest

from awn.connectors.email.models import Mailbox


@pytest.fixture
def mailbox(db, team):
    return Mailbox.objects.create(
        name="Acme Support",
        address="support@acme.example",
        team=team,
        signature="Acme Support\nhttps://acme.example",
        inbound=Mailbox.Inbound.HTTP,
    )


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what the services queue for after the commit (events, outbox kicks), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
