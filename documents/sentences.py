"""Sentence vectors, embedded after indexing so the extractive answer needs none at question time.

The extractive generator scores every prose sentence of the passages against the question;
embedding them per question put half a second before the first word. A lane's worker embeds
them once its lane has no document waiting (a few chunks at a time, so a new upload waits at
most one small batch), and the chat reads them with the passages. A chunk without them
(indexed a moment ago, or by `manage.py ingest`) is answered as before, by embedding on the fly.
"""

from django.conf import settings
from django.db import transaction

from documents.models import Chunk, ChunkSentence, PendingSentences
from providers.embeddings import get_embedder
from providers.generators.extractive import prose_sentences

# Chunks per step: about a second of the encoder's time on two cores.
SENTENCE_BATCH_CHUNKS = 16


def sentences_wanted() -> bool:
    """Only the extractive generator reads sentence vectors: with a language model they are not made."""
    return settings.GENERATOR_PROVIDER == "extractive"


def chunks_embed_sentences(*, limit: int = SENTENCE_BATCH_CHUNKS) -> int:
    """Embed the prose sentences of up to `limit` chunks that wait for them; how many were done.
    Workers doing this at once take different chunks (SKIP LOCKED)."""
    if not sentences_wanted():
        return 0
    embedder = get_embedder()
    with transaction.atomic():
        waiting = list(
            PendingSentences.objects.select_for_update(skip_locked=True)
            .order_by("chunk_id")
            .values_list("chunk_id", flat=True)[:limit]
        )
        if not waiting:
            return 0
        chunks = Chunk.objects.filter(pk__in=waiting).order_by("id").values_list("id", "text")
        sentences = [(chunk_id, position, text) for chunk_id, body in chunks for position, text in _sentences(body)]
        vectors = embedder.embed_documents([text for _, _, text in sentences]) if sentences else []
        ChunkSentence.objects.filter(chunk_id__in=waiting).delete()
        ChunkSentence.objects.bulk_create(
            [
                ChunkSentence(chunk_id=chunk_id, position=position, embedding=vector)
                for (chunk_id, position, _), vector in zip(sentences, vectors, strict=True)
            ]
        )
        PendingSentences.objects.filter(chunk_id__in=waiting).delete()
    return len(waiting)


def chunks_await_sentences(chunk_ids: list[int]) -> None:
    """Newly stored chunks wait for their sentence vectors (in the transaction that stores them)."""
    if sentences_wanted():
        PendingSentences.objects.bulk_create([PendingSentences(chunk_id=chunk_id) for chunk_id in chunk_ids])


def chunks_awaiting_sentences() -> bool:
    return sentences_wanted() and PendingSentences.objects.exists()


def sentence_vectors(chunk_ids: list[int]) -> dict[int, list[list[float]]]:
    """The sentence vectors of the chunks that have them, in sentence order."""
    waiting = set(PendingSentences.objects.filter(chunk_id__in=chunk_ids).values_list("chunk_id", flat=True))
    vectors: dict[int, list[list[float]]] = {chunk_id: [] for chunk_id in chunk_ids if chunk_id not in waiting}
    rows = ChunkSentence.objects.filter(chunk_id__in=list(vectors)).order_by("chunk_id", "position")
    for chunk_id, vector in rows.values_list("chunk_id", "embedding"):
        vectors[chunk_id].append(vector if isinstance(vector, list) else vector.tolist())
    return vectors


def _sentences(text: str) -> list[tuple[int, str]]:
    return list(enumerate(prose_sentences(text)))
