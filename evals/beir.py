"""BEIR-format datasets: corpus.jsonl, queries.jsonl, qrels/<split>.tsv."""

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass
class BeirDataset:
    name: str
    corpus: dict[str, dict]  # doc id -> {"title", "text"}
    queries: dict[str, str]  # query id -> text, only those with judgements in the split
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: grade}


def load_beir(path: Path, *, split: str = "test") -> BeirDataset:
    qrels: dict[str, dict[str, int]] = {}
    with open(path / "qrels" / f"{split}.tsv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    for line in _lines(path / "queries.jsonl"):
        record = json.loads(line)
        if record["_id"] in qrels:
            queries[record["_id"]] = record["text"]
    corpus = {}
    for line in _lines(path / "corpus.jsonl"):
        record = json.loads(line)
        corpus[record["_id"]] = {"title": record.get("title", ""), "text": record.get("text", "")}
    return BeirDataset(name=path.name, corpus=corpus, queries=queries, qrels={q: qrels[q] for q in queries})


def document_markdown(document: dict) -> str:
    """One BEIR document as Markdown: the title becomes the heading (it counts above body text)."""
    title, text = document["title"].strip(), document["text"].strip()
    return f"# {title}\n\n{text}" if title else text


def make_slice(dataset: BeirDataset, *, queries: int, distractors: int, seed: int = 13) -> BeirDataset:
    """A small fixed sample: some queries, all their relevant documents, and random others."""
    rng = random.Random(seed)
    chosen = sorted(rng.sample(sorted(dataset.queries), min(queries, len(dataset.queries))))
    relevant = {doc for query in chosen for doc in dataset.qrels[query] if doc in dataset.corpus}
    others = sorted(set(dataset.corpus) - relevant)
    keep = relevant | set(rng.sample(others, min(distractors, len(others))))
    return BeirDataset(
        name=f"{dataset.name}-slice",
        corpus={doc: dataset.corpus[doc] for doc in dataset.corpus if doc in keep},
        queries={query: dataset.queries[query] for query in chosen},
        qrels={query: dataset.qrels[query] for query in chosen},
    )


def write_beir(dataset: BeirDataset, path: Path, *, split: str) -> None:
    (path / "qrels").mkdir(parents=True, exist_ok=True)
    with open(path / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, document in dataset.corpus.items():
            handle.write(json.dumps({"_id": doc_id, **document}, ensure_ascii=False) + "\n")
    with open(path / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query_id, text in dataset.queries.items():
            handle.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
    with open(path / "qrels" / f"{split}.tsv", "w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, judged in dataset.qrels.items():
            for doc_id, grade in judged.items():
                handle.write(f"{query_id}\t{doc_id}\t{grade}\n")


def _lines(path: Path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line
