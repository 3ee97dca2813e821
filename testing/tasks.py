"""Tasks for tests of the task signals (metrics, request ids), in the test settings only."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="testing.log_line")
def log_line(text: str) -> None:
    logger.warning("testing task says %s", text)


@shared_task(name="testing.fail")
def fail() -> None:
    raise RuntimeError("a scripted task failure")
