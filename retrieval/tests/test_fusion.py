import pytest

from retrieval.fusion_config import fusion_settings_changes, fusion_settings_for, fusion_settings_with
from retrieval.pipeline import search_chunks
from retrieval.search.fusion import FusionSettings, adaptive_alpha, fuse, keyword_confidence, normalized

VECTOR = [(1, 0.9), (2, 0.7), (3, 0.5)]
KEYWORD = [(3, 12.0), (4, 6.0), (1, 3.0)]


def test_rrf_is_the_weighted_sum_of_reciprocal_ranks():
    fused = fuse(VECTOR, KEYWORD, FusionSettings(method="rrf", rrf_k=10, semantic_weight=2.0, keyword_weight=1.0))
    assert fused[1].score == pytest.approx(2 / 11 + 1 / 13)
    assert fused[4].score == pytest.approx(1 / 12)
    assert fused[1].alpha is None and fused[1].vector_part is None


def test_convex_combines_min_max_scores_and_gives_a_missing_leg_its_floor():
    fused = fuse(VECTOR, KEYWORD, FusionSettings(method="convex", alpha=0.25, normalization="minmax"))
    # vector 1 -> 1.0, 2 -> 0.5, 3 -> 0.0; keyword 3 -> 1.0, 4 -> 1/3, 1 -> 0.0
    assert fused[1].score == pytest.approx(0.25 * 1.0 + 0.75 * 0.0)
    assert fused[3].score == pytest.approx(0.25 * 0.0 + 0.75 * 1.0)
    assert fused[2].keyword_part == 0.0 and fused[4].vector_part == 0.0
    assert fused[4].score == pytest.approx(0.75 / 3)
    assert {entry.alpha for entry in fused.values()} == {0.25}


def test_alpha_moves_the_order_between_the_legs():
    def top(alpha):
        fused = fuse(VECTOR, KEYWORD, FusionSettings(method="convex", alpha=alpha))
        return max(fused, key=lambda chunk_id: fused[chunk_id].score)

    assert top(0.9) == 1 and top(0.1) == 3


def test_z_scores_are_shifted_so_the_floor_is_zero():
    scores = normalized(KEYWORD, "zscore")
    assert min(scores.values()) == pytest.approx(0.0)
    assert scores[3] > scores[4] > scores[1]
    assert normalized([(7, 2.0), (8, 2.0)], "zscore") == {7: 0.0, 8: 0.0}
    assert normalized([(7, 2.0)], "minmax") == {7: 1.0}
    assert normalized([], "minmax") == {}


def test_adaptive_leans_on_a_confident_keyword_leg():
    sure = [(1, 20.0)] + [(index, 2.0) for index in range(2, 12)]
    flat = [(index, 10.0 - index * 0.1) for index in range(1, 12)]
    assert keyword_confidence(sure) == pytest.approx(0.9)
    assert keyword_confidence(flat) < 0.15
    assert keyword_confidence([]) == 0.0
    assert adaptive_alpha(sure, base=0.5, strength=0.5) < 0.5 < adaptive_alpha(flat, base=0.5, strength=0.5)
    assert adaptive_alpha(sure, base=0.5, strength=0.0) == 0.5
    fused = fuse(VECTOR, sure, FusionSettings(method="adaptive", alpha=0.5, adaptive_strength=0.5))
    assert fused[1].alpha == pytest.approx(adaptive_alpha(sure, base=0.5, strength=0.5))


def test_one_leg_alone_keeps_its_own_order_whatever_the_method():
    for method in ("rrf", "convex", "adaptive"):
        fused = fuse(VECTOR, None, FusionSettings(method=method))
        assert sorted(fused, key=lambda chunk_id: -fused[chunk_id].score) == [1, 2, 3]
    assert fuse(None, None, FusionSettings()) == {}


def test_stored_settings_are_checked_field_by_field():
    base = FusionSettings()
    assert fusion_settings_with(base, {"method": "convex", "alpha": 0.7}).alpha == 0.7
    for bad, message in [
        ({"method": "magic"}, "method must be one of"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"rrf_k": 2.5}, "rrf_k must be a whole number"),
        ({"depth": "100"}, "depth must be a whole number"),
        ({"colour": "red"}, "unknown fusion settings: colour"),
        ({"alpha": True}, "alpha must be a number"),
    ]:
        with pytest.raises(ValueError, match=message):
            fusion_settings_with(base, bad)


@pytest.mark.django_db
def test_a_workspace_uses_its_own_settings_over_the_sites(workspace, ingest, settings, caplog):
    settings.FUSION_METHOD = "rrf"
    ingest(workspace, "# Sync waves\n\nSync waves order the sync of resources.", source_uri="sync.md")
    ingest(workspace, "# Hooks\n\nHooks run before or after a sync.", source_uri="hooks.md")
    assert fusion_settings_for(workspace).method == "rrf"
    assert search_chunks(workspace=workspace, query="sync waves").results[0].scores.fusion_alpha is None

    workspace.retrieval_settings = {"fusion": {"method": "convex", "alpha": 0.3}}
    workspace.save()
    outcome = search_chunks(workspace=workspace, query="sync waves")
    assert outcome.fusion.method == "convex" and outcome.fusion.alpha == 0.3
    top = outcome.results[0].scores
    assert top.fusion_alpha == 0.3
    assert top.fused_score == pytest.approx(0.3 * top.fusion_vector_part + 0.7 * top.fusion_keyword_part)
    assert fusion_settings_changes(outcome.fusion) == {"method": "convex", "alpha": 0.3}

    # A value that no longer fits (edited by hand) leaves the workspace on the site's settings.
    workspace.retrieval_settings = {"fusion": {"method": "convex", "alpha": 7}}
    workspace.save()
    assert search_chunks(workspace=workspace, query="sync waves").fusion.method == "rrf"
    assert "its fusion settings are ignored: alpha must be between 0 and 1" in caplog.text
