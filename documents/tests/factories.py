import factory

from documents.markdown import content_hash
from documents.models import Chunk, Document, DocumentStatus
from providers.embeddings.fake import FakeEmbedder
from workspaces.tests.factories import WorkspaceFactory

_embedder = FakeEmbedder(dimension=384)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    source_uri = factory.Sequence(lambda n: f"docs/document-{n}.md")
    content = factory.LazyAttribute(lambda doc: f"# {doc.title}\n\nSome text about {doc.title}.\n")
    content_hash = factory.LazyAttribute(lambda doc: content_hash(doc.content))
    status = DocumentStatus.COMPLETED
    embedding_model = "fake-hash"
    embedding_dimension = 384


class ChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chunk

    document = factory.SubFactory(DocumentFactory)
    workspace = factory.SelfAttribute("document.workspace")
    ordinal = factory.Sequence(lambda n: n)
    heading_path = factory.LazyAttribute(lambda chunk: [chunk.document.title])
    text = factory.Sequence(lambda n: f"Chunk number {n} of some text.")
    token_count = factory.LazyAttribute(lambda chunk: _embedder.count_tokens(chunk.text))
    content_hash = factory.LazyAttribute(lambda chunk: content_hash(chunk.text))
    embedding = factory.LazyAttribute(lambda chunk: _embedder.embed_documents([chunk.text])[0])
