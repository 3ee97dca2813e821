"""Sentence vectors made after indexing: the extractive answer reads them instead of embedding
every sentence of every passage for each question, and answers exactly as before."""

import numpy
import pytest

from chat.services import chat_answer
from documents.indexing import documents_index_pending, documents_request_index
from documents.models import Chunk, ChunkSentence, IndexLane
from documents.sentences import chunks_awaiting_sentences, chunks_embed_sentences, sentence_vectors
from providers.embeddings import get_embedder
from providers.generators.base import Passage
from providers.generators.extractive import ExtractiveGenerator, prose_sentences

pytestmark = pytest.mark.django_db

QUESTION = "How do I roll back a deployment?"


class CountingEmbedder:
    def __init__(self):
        self.inner = get_embedder()
        self.documents_embedded = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def embed_documents(self, texts):
        self.documents_embedded += len(texts)
        return self.inner.embed_documents(texts)


def passages_of(document, *, with_vectors: bool) -> list[Passage]:
    chunks = list(Chunk.objects.filter(document=document).order_by("ordinal"))
    stored = sentence_vectors([chunk.pk for chunk in chunks]) if with_vectors else {}
    return [
        Passage(
            number=number,
            chunk_id=chunk.pk,
            document_id=str(document.pk),
            title=document.title,
            heading_path=tuple(chunk.heading_path),
            text=chunk.text,
            sentence_vectors=stored.get(chunk.pk),
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


def test_a_lane_with_nothing_waiting_embeds_the_sentences_of_indexed_chunks(runbook):
    assert chunks_awaiting_sentences()
    documents_request_index(document_ids=[runbook.pk])
    documents_index_pending(lane=IndexLane.INTERACTIVE, claimant="task-1")
    assert not chunks_awaiting_sentences()
    embedder = get_embedder()
    for chunk in Chunk.objects.filter(document=runbook):
        sentences = prose_sentences(chunk.text)
        rows = ChunkSentence.objects.filter(chunk=chunk).order_by("position")
        stored = [[float(value) for value in row.embedding] for row in rows]
        assert len(stored) == len(sentences)
        assert numpy.allclose(stored, embedder.embed_documents(sentences), atol=1e-6)


def test_the_extractive_answer_reads_stored_vectors_and_says_the_same(runbook):
    without = ExtractiveGenerator().answer(QUESTION, passages_of(runbook, with_vectors=False))
    while chunks_embed_sentences():
        pass
    counting = CountingEmbedder()
    with_vectors = ExtractiveGenerator(embedder=counting).answer(QUESTION, passages_of(runbook, with_vectors=True))
    assert with_vectors == without and "rollout undo" in with_vectors
    assert counting.documents_embedded == 0  # only the question was embedded


def test_a_passage_whose_stored_vectors_do_not_fit_is_embedded_here(runbook):
    while chunks_embed_sentences():
        pass
    passages = passages_of(runbook, with_vectors=True)
    passages[0] = Passage(**{**passages[0].__dict__, "sentence_vectors": []})  # stale: no sentences
    counting = CountingEmbedder()
    ExtractiveGenerator(embedder=counting).answer(QUESTION, passages)
    assert counting.documents_embedded == len(prose_sentences(passages[0].text))


def test_chat_hands_the_stored_vectors_to_the_generator(runbook, monkeypatch):
    while chunks_embed_sentences():
        pass
    counting = CountingEmbedder()
    monkeypatch.setattr("providers.generators.extractive.get_embedder", lambda: counting)
    answer = chat_answer(workspace=runbook.workspace, question=QUESTION, actor="test", request_id="r1")
    assert "rollout undo" in answer.answer
    assert counting.documents_embedded == 0


def test_no_sentence_vectors_are_made_for_a_language_model(runbook, settings):
    settings.GENERATOR_PROVIDER = "openai"
    assert not chunks_awaiting_sentences()
    assert chunks_embed_sentences() == 0
    assert not ChunkSentence.objects.exists()
