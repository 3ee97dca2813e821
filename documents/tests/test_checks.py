"""The vector column check: EMBEDDING_DIMENSION against the chunk table."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from documents.checks import vector_column_problem


@pytest.mark.django_db
def test_a_dimension_other_than_the_vector_columns_is_reported():
    assert vector_column_problem() == ""
    with override_settings(EMBEDDING_DIMENSION=768):
        problem = vector_column_problem()
        assert "EMBEDDING_DIMENSION is 768" in problem and "384" in problem
        with pytest.raises(SystemCheckError, match="retrieval.E005"):
            call_command("check", "--database", "default")
