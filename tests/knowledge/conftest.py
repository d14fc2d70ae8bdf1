import pytest

from awn.knowledge import services
from awn.knowledge.models import Visibility
from tests.factories import AgentFactory, ManagerFactory


@pytest.fixture
def writer(db):
    """An agent: writes, translates and publishes articles."""
    return AgentFactory(name="Wendy Writer")


@pytest.fixture
def kb_manager(db):
    return ManagerFactory(name="Mark Manager")


@pytest.fixture
def category(kb_manager):
    return services.save_category(
        by=kb_manager,
        names={"en": "Account", "ar": "الحساب", "fa": "حساب کاربری"},
        descriptions={"en": "Signing in and your profile"},
    )


@pytest.fixture
def section(kb_manager, category):
    return services.save_section(by=kb_manager, category=category, names={"en": "Signing in", "fa": "ورود"})


@pytest.fixture
def publish(writer, section):
    """Publish an article (first translation) through the services; more translations via `translate`."""

    def make(title, body="", language="en", visibility=Visibility.PUBLIC, **kwargs):
        return services.create_article(
            by=writer,
            section=section,
            language=language,
            title=title,
            body=body,
            visibility=visibility,
            publish=True,
            **kwargs,
        )

    return make


@pytest.fixture
def translate(writer):
    def make(translation, language, title, body="", state="published"):
        return services.save_translation(
            by=writer, article=translation.article, language=language, title=title, body=body, state=state
        )

    return make
