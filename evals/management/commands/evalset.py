import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from retrieval.evaluation.sets import (
    evaluation_set_export_jsonl,
    evaluation_set_get_or_create,
    evaluation_set_import_beir,
    evaluation_set_import_jsonl,
)
from retrieval.models import EvaluationSet
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "A workspace's evaluation sets: list them, import questions (JSONL or a BEIR folder), export one as JSONL."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="The workspace's sets with their questions and latest scores.")
        listing.add_argument("--workspace", required=True)
        importing = actions.add_parser("import", help="Add questions to a set (made if it does not exist).")
        importing.add_argument("--workspace", required=True)
        importing.add_argument("--set", dest="evaluation_set", required=True)
        source = importing.add_mutually_exclusive_group(required=True)
        source.add_argument("--jsonl", type=Path, help='Lines of {"query", "documents", "answer"?, "split"?}.')
        source.add_argument("--beir", type=Path, help="A BEIR folder: queries.jsonl and qrels/<split>.tsv.")
        importing.add_argument("--splits", default="train,test", help="BEIR: which qrels files (train stays train).")
        exporting = actions.add_parser("export", help="Write a set as JSONL.")
        exporting.add_argument("--workspace", required=True)
        exporting.add_argument("--set", dest="evaluation_set", required=True)
        exporting.add_argument("--output", type=Path, help="A file (default: standard output).")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        try:
            getattr(self, f"handle_{options['action']}")(workspace, options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def handle_list(self, workspace, options):
        for evaluation_set in EvaluationSet.objects.filter(workspace=workspace):
            latest = evaluation_set.runs.filter(kind="eval").first()
            figure = f", latest nDCG@10 {latest.metrics.get('ndcg@10')}" if latest else ""
            train = evaluation_set.questions.filter(split="train").count()
            test = evaluation_set.questions.filter(split="test").count()
            self.stdout.write(f"{evaluation_set.name}: {train} train and {test} test questions{figure}")

    def handle_import(self, workspace, options):
        evaluation_set = evaluation_set_get_or_create(workspace=workspace, name=options["evaluation_set"])
        if options["jsonl"]:
            if not options["jsonl"].is_file():
                raise CommandError(f"No file {options['jsonl']}.")
            with open(options["jsonl"], encoding="utf-8") as handle:
                report = evaluation_set_import_jsonl(evaluation_set=evaluation_set, lines=handle)
        else:
            if not (options["beir"] / "queries.jsonl").is_file():
                raise CommandError(f"No BEIR queries.jsonl in {options['beir']}.")
            splits = [split.strip() for split in options["splits"].split(",") if split.strip()]
            report = evaluation_set_import_beir(evaluation_set=evaluation_set, path=options["beir"], splits=splits)
        self.stdout.write(
            f"{evaluation_set.name}: {report.questions} questions with {report.judgements} judged documents; "
            f"{report.skipped} skipped (no document of theirs in {workspace.pk}), "
            f"{len(report.unknown_documents)} named documents not found"
        )

    def handle_export(self, workspace, options):
        evaluation_set = EvaluationSet.objects.filter(workspace=workspace, name=options["evaluation_set"]).first()
        if evaluation_set is None:
            raise CommandError(f"Workspace {workspace.pk} has no evaluation set named {options['evaluation_set']!r}.")
        lines = evaluation_set_export_jsonl(evaluation_set=evaluation_set)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.writelines(lines)
        else:
            sys.stdout.writelines(lines)
