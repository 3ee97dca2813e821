from celery import shared_task

from retrieval.evaluation.runs import evaluation_run_carry_out


@shared_task(name="retrieval.carry_out_evaluation_run")
def carry_out_evaluation_run(run_id: int) -> str:
    """Score or tune an evaluation set, as the web app asked (retrieval.evaluation.runs)."""
    return evaluation_run_carry_out(run_id=run_id)
