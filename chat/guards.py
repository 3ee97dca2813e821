"""Refusals decided before any generation, each with a reason code.

A refusal is an ordinary answer (`refused: true` and the reason), never an error.
"""

import re
from dataclasses import dataclass

from django.conf import settings

UNSAFE = "unsafe"
OUT_OF_SCOPE = "out_of_scope"
EMPTY_RETRIEVAL = "empty_retrieval"
LOW_CONFIDENCE = "low_confidence"

MESSAGES = {
    UNSAFE: "I can't help with that request.",
    OUT_OF_SCOPE: "That question is outside what this workspace's documents cover, so I can't answer it from them.",
    EMPTY_RETRIEVAL: "I found nothing in this workspace's documents to answer from.",
    LOW_CONFIDENCE: "The documents I found don't answer this clearly enough for me to give a reliable answer.",
}

# What a refusal's reason means, in a few plain words, for the asker and the operator alike.
REASON_LABELS = {
    UNSAFE: "Unsafe request",
    OUT_OF_SCOPE: "Outside what the documents cover",
    EMPTY_RETRIEVAL: "Nothing found to answer from",
    LOW_CONFIDENCE: "Passages too weak to answer from",
}


def refusal_reason_label(reason: str) -> str:
    """The plain words for a reason code; a code without words (an older one) is shown readable."""
    return REASON_LABELS.get(reason) or reason.replace("_", " ").capitalize()


# Attempts to steer the assistant itself, and requests for serious harm.
_UNSAFE_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions|rules|prompts?|guidelines|system message)\b",
    r"\b(reveal|print|show|repeat|leak)\b.{0,30}\b(system prompt|hidden prompt|your (instructions|prompt))\b",
    r"\byou are (now|no longer)\b",
    r"\b(jailbreak|developer mode|DAN mode)\b",
    r"\bpretend (to be|you are)\b.{0,40}\b(without|no) (rules|restrictions|limits)\b",
    r"\b(make|build|synthesi[sz]e|produce|assemble)\b.{0,40}\b(bomb|explosives?|nerve agent|bioweapon|"
    r"chemical weapon|methamphetamine|ricin|sarin)\b",
    r"\b(kill|murder|poison|hurt)\b.{0,20}\b(someone|somebody|people|my (wife|husband|boss|neighbou?r))\b",
    r"\b(write|create|build)\b.{0,30}\b(malware|ransomware|keylogger|credential stealer)\b",
]
_UNSAFE = re.compile("|".join(f"(?:{pattern})" for pattern in _UNSAFE_PATTERNS), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Refusal:
    reason: str

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


def check_question(question: str) -> Refusal | None:
    return Refusal(UNSAFE) if _UNSAFE.search(question) else None


def check_retrieval(results) -> Refusal | None:
    """Refuse when retrieval gives nothing to stand on.

    out_of_scope: no keyword overlap at all and the nearest passage is far
    (CHAT_OUT_OF_SCOPE_SIMILARITY); low_confidence: the best passage is
    below CHAT_MIN_SIMILARITY.
    """
    if not results:
        return Refusal(EMPTY_RETRIEVAL)
    best = max((result.scores.vector_similarity or 0.0) for result in results)
    any_keyword = any(result.scores.keyword_rank is not None for result in results)
    if not any_keyword and best < settings.CHAT_OUT_OF_SCOPE_SIMILARITY:
        return Refusal(OUT_OF_SCOPE)
    if best < settings.CHAT_MIN_SIMILARITY:
        return Refusal(LOW_CONFIDENCE)
    return None
