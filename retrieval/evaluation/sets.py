"""Evaluation sets: a workspace's questions and the documents that answer them.

Documents are named by their `source_uri` on the way in and out (JSONL and BEIR files), so a
set exported from one server imports into another that holds the same documents. A question's
split (train or test) is decided once, by a hash of its text, unless the file says: tuning
never looks at the test part, so the figures it reports for it are honest.
"""

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from documents.models import Document
from documents.selectors import is_document_id
from retrieval.models import (
    EvaluationJudgement,
    EvaluationQuestion,
    EvaluationSet,
    EvaluationSplit,
    QuestionSource,
)
from workspaces.models import Workspace

MAX_QUERY_CHARS = 4000
MAX_GRADE = 100
MAX_NAME_CHARS = 200  # a set's name, and an imported question's id


@dataclass
class ImportReport:
    questions: int = 0  # added or updated
    judgements: int = 0
    unknown_documents: set[str] = field(default_factory=set)  # named by the file, not in the workspace
    skipped: int = 0  # questions left with no known document


def evaluation_set_create(*, workspace: Workspace, name: str, description: str = "", test_share: float = 0.3):
    name = name.strip()
    if not name:
        raise DomainError("An evaluation set needs a name.", code="validation_error")
    if len(name) > MAX_NAME_CHARS:
        raise DomainError(f"A set's name is at most {MAX_NAME_CHARS} characters.", code="validation_error")
    if not 0 <= test_share < 1:
        raise DomainError("test_share must be at least 0 and below 1.", code="validation_error")
    if EvaluationSet.objects.filter(workspace=workspace, name=name).exists():
        raise DomainError(f"The workspace already has an evaluation set named {name!r}.", code="conflict")
    return EvaluationSet.objects.create(workspace=workspace, name=name, description=description, test_share=test_share)


def evaluation_set_get_or_create(*, workspace: Workspace, name: str) -> EvaluationSet:
    found = EvaluationSet.objects.filter(workspace=workspace, name=name).first()
    return found or evaluation_set_create(workspace=workspace, name=name)


def question_text(query: str) -> str:
    """A question as stored: its whitespace collapsed (so one question is never two), checked."""
    query = " ".join(query.split())
    if not query:
        raise DomainError("A question needs its text.", code="validation_error")
    if len(query) > MAX_QUERY_CHARS:
        raise DomainError(f"A question is at most {MAX_QUERY_CHARS} characters.", code="validation_error")
    return query


def split_for(query: str, test_share: float) -> str:
    """Train or test, by a hash of the question's text: the same question always lands in the
    same part, wherever and whenever it is added."""
    digest = hashlib.sha256(" ".join(query.lower().split()).encode()).digest()
    return EvaluationSplit.TEST if int.from_bytes(digest[:8], "big") / 2**64 < test_share else EvaluationSplit.TRAIN


def evaluation_question_add(
    *,
    evaluation_set: EvaluationSet,
    query: str,
    documents: dict[Document, int],
    answer: str = "",
    split: str | None = None,
    source: str = QuestionSource.MANUAL,
    external_id: str = "",
    origin: str = "",
) -> EvaluationQuestion:
    """Add a question (or update the one with the same text): its judgements become `documents`
    ({document: grade}, grade 1 or more), which must belong to the set's workspace."""
    query = question_text(query)
    if not documents:
        raise DomainError("A question needs at least one document that answers it.", code="validation_error")
    if any(document.workspace_id != evaluation_set.workspace_id for document in documents):
        raise DomainError("Every document must belong to the set's workspace.", code="validation_error")
    if any(not 1 <= grade <= MAX_GRADE for grade in documents.values()):
        raise DomainError(f"A document's grade is 1 or more, at most {MAX_GRADE}.", code="validation_error")
    if len(external_id) > MAX_NAME_CHARS:
        raise DomainError(f"A question's id is at most {MAX_NAME_CHARS} characters.", code="validation_error")
    if split is not None and split not in EvaluationSplit.values:
        raise DomainError(f"split must be train or test, not {split!r}.", code="validation_error")
    with transaction.atomic():
        question, created = EvaluationQuestion.objects.get_or_create(
            evaluation_set=evaluation_set,
            query=query,
            defaults={
                "split": split or split_for(query, evaluation_set.test_share),
                "answer": answer,
                "source": source,
                "external_id": external_id,
                "origin": origin,
            },
        )
        if not created:
            question.answer = answer or question.answer
            if split:
                question.split = split
            question.save(update_fields=["answer", "split"])
            question.judgements.all().delete()
        EvaluationJudgement.objects.bulk_create(
            [
                EvaluationJudgement(question=question, document=document, grade=grade)
                for document, grade in documents.items()
            ]
        )
        EvaluationSet.objects.filter(pk=evaluation_set.pk).update(updated_at=timezone.now())
    return question


def evaluation_question_delete(*, question: EvaluationQuestion) -> None:
    question.delete()


def evaluation_set_import_jsonl(*, evaluation_set: EvaluationSet, lines: Iterable[str]) -> ImportReport:
    """One question per line: {"query", "documents": {source_uri: grade} or [source_uri, ...],
    optional "answer", "split", "id"}; a line that is not such an object fails the import."""
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DomainError(f"Line {number} is not JSON: {exc.msg}.", code="validation_error") from None
        if not isinstance(record, dict) or not isinstance(record.get("query"), str):
            raise DomainError(f'Line {number} needs a "query" string.', code="validation_error")
        wanted = record.get("documents")
        if isinstance(wanted, list):
            wanted = {str(uri): 1 for uri in wanted}
        grades = wanted.values() if isinstance(wanted, dict) else ()
        if not isinstance(wanted, dict) or not all(type(grade) is int for grade in grades):
            raise DomainError(
                f'Line {number}: "documents" is a list of source URIs or an object of source URI to grade.',
                code="validation_error",
            )
        records.append((record, {str(uri): grade for uri, grade in wanted.items() if grade > 0}))
    return _import(
        evaluation_set,
        (
            (
                record["query"],
                wanted,
                str(record.get("answer") or ""),
                record.get("split"),
                str(record.get("id") or ""),
            )
            for record, wanted in records
        ),
    )


def evaluation_set_import_beir(*, evaluation_set: EvaluationSet, path: Path, splits: Iterable[str]) -> ImportReport:
    """A BEIR folder's queries.jsonl with qrels/<split>.tsv for each split: train stays train,
    every other split (dev, test) is held out as test. Corpus ids are source URIs."""
    texts = {}
    for line in _lines(path / "queries.jsonl"):
        record = json.loads(line)
        texts[record["_id"]] = record["text"]
    questions = []
    for split in splits:
        qrels: dict[str, dict[str, int]] = {}
        qrels_file = path / "qrels" / f"{split}.tsv"
        if not qrels_file.exists():
            raise DomainError(f"{qrels_file} does not exist.", code="validation_error")
        with open(qrels_file, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if int(row["score"]) > 0:
                    qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
        held_out = EvaluationSplit.TRAIN if split == "train" else EvaluationSplit.TEST
        questions += [
            (texts[query_id], wanted, "", held_out, query_id) for query_id, wanted in qrels.items() if query_id in texts
        ]
    return _import(evaluation_set, questions)


def _import(evaluation_set: EvaluationSet, questions: Iterable[tuple]) -> ImportReport:
    questions = list(questions)
    uris = {uri for _, wanted, *_ in questions for uri in wanted}
    in_workspace = Document.objects.filter(workspace=evaluation_set.workspace).only("pk", "workspace_id", "source_uri")
    documents = {document.source_uri: document for document in in_workspace.filter(source_uri__in=uris)}
    # A document uploaded without a source URI is named by its id.
    ids = [uri for uri in uris - set(documents) if is_document_id(uri)]
    documents.update({str(document.pk): document for document in in_workspace.filter(pk__in=ids)})
    report = ImportReport(unknown_documents=uris - set(documents))
    with transaction.atomic():
        for query, wanted, answer, split, external_id in questions:
            known = {documents[uri]: grade for uri, grade in wanted.items() if uri in documents}
            if not known or not query.strip():
                report.skipped += 1
                continue
            evaluation_question_add(
                evaluation_set=evaluation_set,
                query=query,
                documents=known,
                answer=answer,
                split=split or None,
                source=QuestionSource.IMPORT,
                external_id=external_id,
            )
            report.questions += 1
            report.judgements += len(known)
    return report


def evaluation_set_export_jsonl(*, evaluation_set: EvaluationSet) -> Iterator[str]:
    """The set as JSONL lines (what evaluation_set_import_jsonl reads)."""
    questions = evaluation_set.questions.prefetch_related("judgements__document").order_by("id")
    for question in questions:
        record = {
            "query": question.query,
            "documents": {
                document_name(judgement.document): judgement.grade for judgement in question.judgements.all()
            },
            "split": question.split,
        }
        if question.answer:
            record["answer"] = question.answer
        if question.external_id:
            record["id"] = question.external_id
        yield json.dumps(record, ensure_ascii=False) + "\n"


def document_name(document: Document) -> str:
    """How files name a document: its source URI, or its id when it has none."""
    return document.source_uri or str(document.pk)


def _lines(path: Path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line
