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


class EvaluationSplit(models.TextChoices):
    TRAIN = "train", "Train (tuning may look at it)"
    TEST = "test", "Test (held out: only scored)"


class EvaluationSet(models.Model):
    """A workspace's own questions with the documents that should answer them: what `manage.py
    eval` scores the workspace on and `manage.py tune` tunes its fusion with."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="evaluation_sets")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    test_share = models.FloatField(
        default=0.3, help_text="Share of new questions held out from tuning (decided by each question's text)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="evaluationset_unique_name")]

    def __str__(self):
        return f"{self.workspace_id}/{self.name}"


class QuestionSource(models.TextChoices):
    MANUAL = "manual", "Written by hand"
    IMPORT = "import", "Imported"
    FEEDBACK = "feedback", "From chat feedback"


class EvaluationQuestion(models.Model):
    evaluation_set = models.ForeignKey(EvaluationSet, on_delete=models.CASCADE, related_name="questions")
    query = models.TextField()
    split = models.CharField(max_length=8, choices=EvaluationSplit.choices, default=EvaluationSplit.TRAIN)
    answer = models.TextField(blank=True, help_text="Text a right passage contains (scored as answer in the top 5).")
    source = models.CharField(max_length=16, choices=QuestionSource.choices, default=QuestionSource.MANUAL)
    external_id = models.CharField(max_length=200, blank=True, help_text="The id it was imported with.")
    origin = models.CharField(
        max_length=200, blank=True, help_text="Where it came from, e.g. the chat log it was made of."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation_set", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation_set", "query"], name="evaluationquestion_unique_query")
        ]

    def __str__(self):
        return self.query[:80]


class EvaluationJudgement(models.Model):
    """A document that answers a question, with how well (graded relevance: 1 relevant, 2 and
    more better; nDCG counts the grade)."""

    question = models.ForeignKey(EvaluationQuestion, on_delete=models.CASCADE, related_name="judgements")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "document"], name="evaluationjudgement_unique_document")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.document_id} ({self.grade})"


class EvaluationRunKind(models.TextChoices):
    EVAL = "eval", "Evaluation"
    TUNE = "tune", "Tuning"


class EvaluationRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class EvaluationRun(models.Model):
    """One scoring of a set (or one tuning), kept so the trend can be seen. Asked for from the web
    app, it waits for a worker (queued); the commands run it at once."""

    evaluation_set = models.ForeignKey(EvaluationSet, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=8, choices=EvaluationRunKind.choices, default=EvaluationRunKind.EVAL)
    status = models.CharField(max_length=8, choices=EvaluationRunStatus.choices, default=EvaluationRunStatus.DONE)
    error = models.TextField(blank=True)
    requested_by = models.CharField(max_length=200, blank=True)
    split = models.CharField(max_length=8, default="all", help_text="all, train or test.")
    questions = models.PositiveIntegerField(default=0)
    fusion = models.JSONField(default=dict, help_text="The fusion settings scored (tuning: the ones kept).")
    metrics = models.JSONField(default=dict)
    details = models.JSONField(default=dict, blank=True, help_text="Tuning: what was tried and the significance test.")
    embedding_model = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Web-asked runs: when their message was last sent and when a worker took them up (the sweep
    # sends lost messages again and fails runs whose worker died).
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["evaluation_set", "-created_at"], name="evalrun_set_created_idx")]

    def __str__(self):
        return f"{self.evaluation_set} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def tune_summary(self) -> str:
        """A tuning's outcome in a line: what it chose, its held-out effect, and whether it was saved."""
        details = self.details or {}
        test = details.get("test") or {}
        if not test:
            return details.get("reason", "")
        before, after = test["current"]["ndcg@10"], test["chosen"]["ndcg@10"]
        method = (self.fusion or {}).get("method", "")
        saved = "saved" if details.get("applied") else "not saved"
        reason = details.get("reason", "")
        return (
            f"Best on the tuning questions: {method}; held out nDCG@10 {before:.4f} → {after:.4f}, {saved}: {reason}."
        )

    @property
    def figures(self) -> list[float | None]:
        """nDCG@10, Recall@100, MRR@10 and answer@5, in that order (None: not measured)."""
        return [self.metrics.get(name) for name in ("ndcg@10", "recall@100", "mrr@10", "answer@5")]
