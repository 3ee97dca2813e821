import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from core.roles import Role


class WorkspaceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Workspace(models.Model):
    id = models.SlugField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    search_language = models.CharField(
        max_length=32,
        default="english",
        help_text="PostgreSQL text-search configuration used for keyword search.",
    )
    retrieval_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="This workspace's own fusion settings, as `manage.py tune` saves them; empty: the site's.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["archived_at"], name="workspace_archived_idx"),
            models.Index(Upper("name"), name="workspace_name_upper_idx"),
        ]

    def __str__(self):
        return self.id

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def hash_api_key(raw_key: str) -> str:
    """HMAC-SHA256 of the key with the server's pepper (API_KEY_PEPPER, else SECRET_KEY).

    Keys are long random tokens, so a fast hash is safe to look them up by; the pepper,
    which never enters the database, makes a copied table of hashes useless on its own.
    """
    pepper = (settings.API_KEY_PEPPER or settings.SECRET_KEY).encode()
    return hmac.new(pepper, raw_key.encode(), hashlib.sha256).hexdigest()


def legacy_hash_api_key(raw_key: str) -> str:
    """How keys made before the pepper were stored; such a key is re-hashed the first time it is used."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, help_text="First characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="When set, the key only reaches this workspace.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Membership(models.Model):
    """A person's role in one workspace. Staff users need none: they are admins everywhere."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique_user_workspace")]

    def __str__(self):
        return f"{self.user} in {self.workspace_id} ({self.role})"
