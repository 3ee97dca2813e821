import pytest

from chat.models import ChatLog, ChatMessage
from chat.tests.factories import ChatLogFactory, ChatMessageFactory, ChatSessionFactory

pytestmark = pytest.mark.django_db


def test_session_history_is_ordered_and_deleted_with_the_session():
    session = ChatSessionFactory()
    first = ChatMessageFactory(session=session, content="first")
    second = ChatMessageFactory(session=session, role="assistant", content="second")
    assert list(session.messages.all()) == [first, second]
    session.delete()
    assert not ChatMessage.objects.exists()


def test_chat_log_outlives_its_session():
    session = ChatSessionFactory()
    log = ChatLogFactory(workspace=session.workspace, session=session, refused=True, refusal_reason="low_confidence")
    session.delete()
    log.refresh_from_db()
    assert log.session is None and log.refusal_reason == "low_confidence"
    assert ChatLog.objects.filter(workspace=log.workspace, refused=True).count() == 1
