"""Sentence vectors, embedded after indexing so the extractive answer needs none at question time.

The extractive generator scores every prose sentence of the passages against the question;
embedding them per question put half a second before the first word. A lane's worker embeds
them once its lane has no document waiting (a few chunks at a time, so a new upload waits at
most one small batch), and the chat reads them with the passages. A chunk without them
(indexed a moment ago, or by `manage.py ingest`) is answered as before, by embedding on the fly.
"""

from django.conf import settings
from django.db import transaction

from documents.models import Chunk, ChunkSentence, DocumentStatus
from providers.embeddings import get_embedder
from providers.generators.extractive import prose_sentences

# Chunks per step: about a second of the encoder's time on two cores.
SENTENCE_BATCH_CHUNKS = 16


def sentences_wanted() -> bool:
    """Only the extractive generator reads sentence vectors: with a language model they are not made."""
    return settings.GENERATOR_PROVIDER == "extractive"


def chunks_embed_sentences(*, limit: int = SENTENCE_BATCH_CHUNKS) -> int:
    """Embed the prose sentences of up to `limit` chunks that lack them; how many chunks were done.
    Workers doing this at once take different chunks (SKIP LOCKED)."""
    if not sentences_wanted():
        return 0
    embedder = get_embedder()
    with transaction.atomic():
        chunks = list(
            Chunk.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                sentences_ready=False,
                document__status=DocumentStatus.COMPLETED,
                document__embedding_model=embedder.model_name,
            )
            .order_by("id")
            .only("id", "text")[:limit]
        )
        if not chunks:
            return 0
        sentences = [(chunk.pk, position, text) for chunk in chunks for position, text in _sentences(chunk)]
        vectors = embedder.embed_documents([text for _, _, text in sentences]) if sentences else []
        ChunkSentence.objects.filter(chunk_id__in=[chunk.pk for chunk in chunks]).delete()
        ChunkSentence.objects.bulk_create(
            [
                ChunkSentence(chunk_id=chunk_id, position=position, embedding=vector)
                for (chunk_id, position, _), vector in zip(sentences, vectors, strict=True)
            ]
        )
        Chunk.objects.filter(pk__in=[chunk.pk for chunk in chunks]).update(sentences_ready=True)
    return len(chunks)


def chunks_awaiting_sentences() -> bool:
    return sentences_wanted() and (
        Chunk.objects.filter(sentences_ready=False, document__status=DocumentStatus.COMPLETED).exists()
    )


def sentence_vectors(chunk_ids: list[int]) -> dict[int, list[list[float]]]:
    """The sentence vectors of the chunks that have them, in sentence order."""
    ready = set(Chunk.objects.filter(pk__in=chunk_ids, sentences_ready=True).values_list("pk", flat=True))
    vectors: dict[int, list[list[float]]] = {chunk_id: [] for chunk_id in ready}
    rows = ChunkSentence.objects.filter(chunk_id__in=ready).order_by("chunk_id", "position")
    for chunk_id, vector in rows.values_list("chunk_id", "embedding"):
        vectors[chunk_id].append(vector if isinstance(vector, list) else vector.tolist())
    return vectors


def _sentences(chunk: Chunk) -> list[tuple[int, str]]:
    return list(enumerate(prose_sentences(chunk.text)))
