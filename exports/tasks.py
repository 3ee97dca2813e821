from celery import shared_task

from exports import services


@shared_task(name="exports.run_export_job")
def run_export_job(job_id: str) -> str:
    # A redelivered or duplicate message finds the job claimed already and does nothing.
    job = services.export_job_run(job_id=job_id)
    return job.status if job else "skipped"


@shared_task(name="exports.reset_stale_export_jobs")
def reset_stale_export_jobs() -> int:
    return len(services.export_jobs_reset_stale()) + len(services.export_jobs_requeue_forgotten())


@shared_task(name="exports.delete_expired_export_files")
def delete_expired_export_files() -> int:
    return services.export_files_delete_expired()
