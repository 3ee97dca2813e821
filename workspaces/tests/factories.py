import secrets

import factory

from core.roles import Role
from workspaces.models import ApiKey, Workspace, hash_api_key


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        django_get_or_create = ["id"]

    id = factory.Sequence(lambda n: f"workspace-{n}")
    name = factory.LazyAttribute(lambda workspace: workspace.id.replace("-", " ").title())


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A stored key; the raw key is returned on `.raw_key` and only its hash is saved."""

    class Meta:
        model = ApiKey

    raw_key = factory.LazyFunction(lambda: "rag_" + secrets.token_urlsafe(24))
    name = factory.Sequence(lambda n: f"key {n}")
    prefix = factory.LazyAttribute(lambda key: key.raw_key[:10])
    key_hash = factory.LazyAttribute(lambda key: hash_api_key(key.raw_key))
    role = Role.VIEWER
    workspace = None

    @classmethod
    def _create(cls, model_class, *args, raw_key, **kwargs):
        api_key = super()._create(model_class, *args, **kwargs)
        api_key.raw_key = raw_key
        return api_key
