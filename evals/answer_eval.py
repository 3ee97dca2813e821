"""Answer evaluation through the chat service: does it answer what the documents
answer (with valid citations), and refuse what they do not?

A dataset is JSONL: {"id", "question", "must_contain": [terms], "must_refuse": bool}.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from chat.services import chat_answer
from workspaces.models import Workspace


@dataclass
class AnswerCase:
    id: str
    question: str
    must_contain: list[str]
    must_refuse: bool


@dataclass
class AnswerReport:
    answer_accuracy: float  # answerable questions answered, containing every required term
    refusal_accuracy: float  # questions that must be refused, refused
    false_refusals: float  # answerable questions refused
    citation_validity: float  # answers with at least one citation and no invalid marker
    cases: int
    failures: list[dict] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        return {
            "answer_accuracy": self.answer_accuracy,
            "refusal_accuracy": self.refusal_accuracy,
            "false_refusals": self.false_refusals,
            "citation_validity": self.citation_validity,
        }


def load_answer_cases(path: Path) -> list[AnswerCase]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            cases.append(
                AnswerCase(
                    id=record["id"],
                    question=record["question"],
                    must_contain=list(record.get("must_contain", [])),
                    must_refuse=bool(record.get("must_refuse", False)),
                )
            )
    return cases


def evaluate_answers(cases: list[AnswerCase], *, workspace: Workspace) -> AnswerReport:
    answerable = [case for case in cases if not case.must_refuse]
    refusable = [case for case in cases if case.must_refuse]
    correct, refused_right, refused_wrong, cited_right = 0, 0, 0, 0
    failures = []
    for case in cases:
        answer = chat_answer(workspace=workspace, question=case.question, actor="eval", request_id=f"eval-{case.id}")
        text = answer.answer.lower()
        if case.must_refuse:
            refused_right += answer.refused
            if not answer.refused:
                failures.append({"id": case.id, "problem": "answered instead of refusing", "answer": answer.answer})
            continue
        if answer.refused:
            refused_wrong += 1
            failures.append({"id": case.id, "problem": f"refused ({answer.refusal_reason})"})
            continue
        if all(term.lower() in text for term in case.must_contain):
            correct += 1
        else:
            failures.append({"id": case.id, "problem": "missing terms", "answer": answer.answer})
        cited_right += bool(answer.citations) and answer.invalid_citations == 0
    return AnswerReport(
        answer_accuracy=round(correct / len(answerable), 4) if answerable else 0.0,
        refusal_accuracy=round(refused_right / len(refusable), 4) if refusable else 0.0,
        false_refusals=round(refused_wrong / len(answerable), 4) if answerable else 0.0,
        citation_validity=round(cited_right / max(1, len(answerable) - refused_wrong), 4),
        cases=len(cases),
        failures=failures,
    )
