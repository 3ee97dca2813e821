import secrets

import factory
from django.contrib.auth import get_user_model

from core.roles import Role
from workspaces.models import ApiKey, Membership, Workspace, hash_api_key


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


class UserFactory(factory.django.DjangoModelFactory):
    """A person who signs in to the web app; the password is `password`."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password("password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.VIEWER
