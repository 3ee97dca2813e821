import factory

from audit.models import AuditLog


class AuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLog

    action = "workspace.archive"
    actor = factory.Sequence(lambda n: f"key:{n:012x}")
    workspace_ids = factory.LazyFunction(lambda: ["public"])
