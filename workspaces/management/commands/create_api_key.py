from django.core.management.base import BaseCommand, CommandError

from core.roles import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key. The key is printed once; only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--workspace", help="Scope the key to this workspace id.")

    def handle(self, *args, name, role, workspace, **options):
        scope = None
        if workspace:
            scope = Workspace.objects.filter(pk=workspace).first()
            if scope is None:
                raise CommandError(f"Workspace '{workspace}' does not exist.")
        api_key, raw_key = api_key_create(name=name, role=role, workspace=scope)
        self.stderr.write(f"Created key '{api_key.name}' ({api_key.role}, prefix {api_key.prefix}). Store it now:")
        self.stdout.write(raw_key)
