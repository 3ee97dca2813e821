import factory

from chat.models import ChatLog, ChatMessage, ChatSession, MessageRole
from workspaces.tests.factories import WorkspaceFactory


class ChatSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSession

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Session {n}")


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    role = MessageRole.USER
    content = factory.Sequence(lambda n: f"Question {n}?")


class ChatLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatLog

    workspace = factory.SubFactory(WorkspaceFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer [1]."
    citations = factory.LazyFunction(lambda: [{"n": 1, "chunk_id": 1}])
    provider = "extractive"
