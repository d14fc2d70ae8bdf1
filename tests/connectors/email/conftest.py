import os
import shutil
import tempfile
from pathlib import Path

import pytest

from awn.connectors.email.models import Mailbox
from tests.connectors.email.servers import CapturingHandler, start_dovecot, start_smtp_server, stop_dovecot

IMAP_USER, IMAP_PASSWORD = "support@acme.example", "imap-secret-1"


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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free port; Awn's outgoing mail goes to it."""
    handler = CapturingHandler()
    controller = start_smtp_server(handler)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def dovecot():
    """Debian's dovecot as a real IMAP server (TLS on a free port, config in a temp dir). It must start:
    a missing or broken dovecot fails the tests with the reason instead of skipping them."""
    # Not under pytest's private (0700) temp dir: dovecot's own service users must reach the files.
    root = Path(tempfile.mkdtemp(prefix="awn-dovecot-"))
    root.chmod(0o755)
    try:
        server = start_dovecot(root, {IMAP_USER: IMAP_PASSWORD, "other@acme.example": "imap-secret-2"})
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    previous = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(server.cert)  # Awn's poller verifies the server like any other
    yield server
    if previous is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = previous
    stop_dovecot(server)
    shutil.rmtree(root, ignore_errors=True)
