"""The retrieval inspector, a chunk in its context, and evaluation sets, under /app/w/<workspace>/."""

from django.urls import path

from retrieval import evaluation_views, views

urlpatterns = [
    path("w/<str:workspace_id>/inspect/", views.inspector_page, name="app-inspector"),
    path("w/<str:workspace_id>/chunks/<int:chunk_id>/", views.chunk_context_page, name="app-chunk"),
    path("w/<str:workspace_id>/evaluation/", evaluation_views.evaluation_sets_page, name="app-evaluation"),
    path(
        "w/<str:workspace_id>/evaluation/documents/",
        evaluation_views.evaluation_document_choices_page,
        name="app-evaluation-documents",
    ),
    path("w/<str:workspace_id>/evaluation/fusion/reset/", evaluation_views.fusion_reset_page, name="app-fusion-reset"),
    path(
        "w/<str:workspace_id>/evaluation/<int:set_id>/",
        evaluation_views.evaluation_set_page,
        name="app-evaluation-set",
    ),
    path(
        "w/<str:workspace_id>/evaluation/<int:set_id>/import/",
        evaluation_views.evaluation_set_import_page,
        name="app-evaluation-import",
    ),
    path(
        "w/<str:workspace_id>/evaluation/<int:set_id>/export/",
        evaluation_views.evaluation_set_export_page,
        name="app-evaluation-export",
    ),
    path(
        "w/<str:workspace_id>/evaluation/<int:set_id>/runs/",
        evaluation_views.evaluation_run_page,
        name="app-evaluation-run",
    ),
    path(
        "w/<str:workspace_id>/evaluation/<int:set_id>/questions/<int:question_id>/delete/",
        evaluation_views.evaluation_question_delete_page,
        name="app-evaluation-question-delete",
    ),
]
