from celery import shared_task

from retrieval.evaluation.runs import evaluation_run_carry_out, evaluation_runs_sweep


@shared_task(name="retrieval.carry_out_evaluation_run")
def carry_out_evaluation_run(run_id: int) -> str:
    """Score or tune an evaluation set, as the web app asked (retrieval.evaluation.runs)."""
    return evaluation_run_carry_out(run_id=run_id)


@shared_task(name="retrieval.sweep_evaluation_runs")
def sweep_evaluation_runs() -> int:
    """Send lost evaluation runs again and fail those whose worker died."""
    swept = evaluation_runs_sweep()
    return len(swept["resent"]) + len(swept["failed"])
