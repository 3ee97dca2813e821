from celery import shared_task


@shared_task(name="core.ping", ignore_result=False)  # its caller waits for the answer
def ping(value: str = "pong") -> str:
    """Answers its argument: used to prove a worker is consuming the queue."""
    return value
