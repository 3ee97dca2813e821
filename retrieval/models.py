from django.db import models

from workspaces.models import Workspace


class TermStat(models.Model):
    """How many indexed chunks of a workspace contain a lexeme (BM25's document frequency).

    Maintained by database triggers on documents_chunk (migrations 0002 and 0004), so
    inserts, re-indexing and cascading deletes all keep it exact. The same rows hold the
    lexeme's champion list, the columns champion_chunks (bigint[]) and champion_impacts
    (real[]) that only SQL reads (retrieval/search/keyword.py; see migration 0004).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    lexeme = models.TextField()
    df = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "lexeme"], name="termstat_unique_lexeme")]

    def __str__(self):
        return f"{self.workspace_id}:{self.lexeme}={self.df}"


class CorpusStat(models.Model):
    """Chunk count and total length per workspace: BM25's N and average length."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+")
    chunk_count = models.IntegerField(default=0)
    total_length = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.workspace_id}: {self.chunk_count} chunks"
