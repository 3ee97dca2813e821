import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from pgvector.django import HnswIndex, VectorField

from workspaces.models import Workspace


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class DocumentQuerySet(models.QuerySet):
    def searchable(self):
        """Only completed documents are ever visible to search or chat."""
        return self.filter(status=DocumentStatus.COMPLETED)


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=500)
    source_uri = models.CharField(max_length=1000, blank=True, help_text="Path or URI the document came from.")
    metadata = models.JSONField(default=dict, blank=True)
    content = models.TextField(help_text="The Markdown as received; chunks are rebuilt from it.")
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    error = models.TextField(blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    embedding_dimension = models.PositiveIntegerField(null=True, blank=True)
    indexed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="document_ws_status_idx"),
            models.Index(fields=["workspace", "-created_at"], name="document_ws_created_idx"),
            models.Index(fields=["workspace", "embedding_model"], name="document_ws_model_idx"),
            GinIndex(fields=["metadata"], name="document_metadata_gin", opclasses=["jsonb_path_ops"]),
        ]
        constraints = [
            # Re-ingesting the same path updates the document instead of duplicating it.
            models.UniqueConstraint(
                fields=["workspace", "source_uri"],
                condition=~models.Q(source_uri=""),
                name="document_unique_source_per_workspace",
            )
        ]

    def __str__(self):
        return self.title


class Chunk(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    # Denormalised from the document so both search legs filter by workspace
    # without a join before the index scan.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ordinal = models.PositiveIntegerField()
    heading_path = models.JSONField(default=list, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSION, null=True)
    search_vector = SearchVectorField(null=True)
    # BM25 statistics, derived from search_vector at indexing time: lexeme ->
    # weighted term frequency (headings count more), and their sum (the length).
    # Triggers keep per-workspace document frequencies in step (retrieval app).
    term_freqs = models.JSONField(null=True, blank=True)
    term_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "ordinal"]
        indexes = [
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_vector_gin"),
            models.Index(fields=["workspace", "content_hash"], name="chunk_ws_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="chunk_unique_ordinal"),
        ]

    def __str__(self):
        return f"{self.document_id}#{self.ordinal}"


class ChunkSentence(models.Model):
    """The vector of a chunk's prose sentence, in the order the extractive answer splits them."""

    chunk = models.ForeignKey(Chunk, on_delete=models.CASCADE, related_name="sentences")
    position = models.PositiveSmallIntegerField()
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSION)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chunk", "position"], name="chunk_sentence_unique_position")]

    def __str__(self):
        return f"{self.chunk_id}.{self.position}"


class PendingSentences(models.Model):
    """A chunk whose prose sentences are still to be embedded (documents.sentences). A table of its
    own: marking chunks done with an UPDATE of documents_chunk would fire its BM25 triggers."""

    chunk = models.OneToOneField(Chunk, primary_key=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return str(self.chunk_id)


class IndexLane(models.TextChoices):
    """Which worker indexes a request: a few documents go before any bulk load (settings.TASK_QUEUES)."""

    INTERACTIVE = "interactive", "Interactive"
    BULK = "bulk", "Bulk"


class IndexRequest(models.Model):
    """A document waiting to be indexed: the work queue itself, in the database.

    Task messages only wake a lane's worker, which claims waiting requests in batches, taking
    turns between workspaces; a lost message loses nothing (the sweep wakes the lanes again).
    `version` grows with every request, so indexing that read an older one leaves the newer
    request waiting; a claim older than DOCUMENT_STUCK_SECONDS belongs to a dead worker.
    """

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lane = models.CharField(max_length=16, choices=IndexLane.choices)
    version = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    # Not claimed before then: the back-off after a provider failure.
    not_before = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["lane", "workspace", "requested_at"],
                condition=models.Q(claimed_at__isnull=True),
                name="indexrequest_waiting_idx",
            ),
            models.Index(
                fields=["claimed_at"], condition=models.Q(claimed_at__isnull=False), name="indexrequest_claimed_idx"
            ),
        ]

    def __str__(self):
        return f"{self.document_id} ({self.lane})"
