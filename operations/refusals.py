"""Refusal reasons in plain words, for the people who read the logs; the codes are chat.guards'."""

from chat import guards

REFUSAL_REASONS = {
    guards.UNSAFE: "Unsafe request",
    guards.OUT_OF_SCOPE: "Outside what the documents cover",
    guards.EMPTY_RETRIEVAL: "Nothing found to answer from",
    guards.LOW_CONFIDENCE: "Passages too weak to answer from",
}


def refusal_reason_label(reason: str) -> str:
    """The plain words for a reason code; a code without words (an older one) is shown readable."""
    return REFUSAL_REASONS.get(reason) or reason.replace("_", " ").capitalize()
