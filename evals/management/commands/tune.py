from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import DomainError
from retrieval.evaluation.tuning import evaluation_set_tune
from retrieval.models import EvaluationSet
from retrieval.search.fusion import FUSION_METHODS
from workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Tune a workspace's fusion on its evaluation set: every setting is scored on the train questions, the "
        "best is compared with the current one on the held-out questions, and saved only if significantly better."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--set", dest="evaluation_set", required=True, help="The evaluation set's name.")
        parser.add_argument("--methods", default=",".join(FUSION_METHODS), help="Comma separated fusion functions.")
        parser.add_argument("--significance", type=float, default=0.05, help="Save only when p is below this.")
        parser.add_argument("--dry-run", action="store_true", help="Report, but save nothing on the workspace.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        evaluation_set = EvaluationSet.objects.filter(workspace=workspace, name=options["evaluation_set"]).first()
        if evaluation_set is None:
            raise CommandError(f"Workspace {workspace.pk} has no evaluation set named {options['evaluation_set']!r}.")
        methods = [method.strip() for method in options["methods"].split(",") if method.strip()]
        unknown = set(methods) - set(FUSION_METHODS)
        if unknown or not methods:
            raise CommandError(f"--methods: choose from {', '.join(FUSION_METHODS)}")
        if not 0 < options["significance"] < 1:
            raise CommandError("--significance is between 0 and 1.")
        with tqdm(
            total=evaluation_set.questions.count(),
            desc="searching",
            unit="question",
            disable=options["no_progress"] or None,
            file=self.stderr,
        ) as bar:
            try:
                report = evaluation_set_tune(
                    evaluation_set,
                    apply=not options["dry_run"],
                    significance=options["significance"],
                    methods=methods,
                    progress=lambda: bar.update(1),
                )
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
        write = self.stdout.write
        write(
            f"{workspace.pk} / {evaluation_set.name}: {report.candidates} settings tried on "
            f"{report.train_questions} train questions; {report.test_questions} held out"
        )
        for method, candidate in report.best_by_method.items():
            write(f"  best {method:<9} {candidate.fusion.describe():<50} train nDCG@10 {candidate.train_ndcg:.4f}")
        write(f"current: {report.current.describe()}")
        write(f"chosen:  {report.chosen.describe()}")
        for part, figures in (("train", report.train), ("held out", report.test)):
            if figures:
                write(
                    f"  {part:<9} nDCG@10 {figures['current']['ndcg@10']:.4f} -> {figures['chosen']['ndcg@10']:.4f}, "
                    f"Recall@100 {figures['current']['recall@100']:.4f} -> {figures['chosen']['recall@100']:.4f}"
                )
        if report.p_value is not None:
            write(f"  paired randomization test on held-out nDCG@10: p = {report.p_value:.4f}")
        write(("Saved on the workspace: " if report.applied else "Not saved: ") + report.reason)
