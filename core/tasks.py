from celery import shared_task


@shared_task(name="core.ping")
def ping(value: str = "pong") -> str:
    """Answers its argument: used to prove a worker is consuming the queue."""
    return value
