from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Local use only: create the admin/admin superuser when no superuser exists."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("bootstrap_local only runs with DEBUG on (local settings).")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        User.objects.create_superuser("admin", "admin@localhost", "admin")
        self.stdout.write("Created superuser admin / admin for /admin/ (local use only).")
