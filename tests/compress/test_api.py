"""``compress(model, ratio=..., layers=...)`` on generic modules and on a (randomly initialised) BERT."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from suanli.compress import LowRankLinear, TTEmbedding, TTLinear, compress, count_parameters
from suanli.errors import SuanliError


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Embedding(500, 64), nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 64), nn.Linear(64, 2))


@pytest.mark.parametrize("method", ["tt", "svd"])
@pytest.mark.parametrize("ratio", [0.3, 0.5, 0.7])
def test_each_layer_keeps_at_most_its_budget(method, ratio):
    net = _net()
    idx = torch.randint(0, 500, (4, 9))
    before = net(idx).shape
    report = compress(net, ratio=ratio, method=method, layers=["0", "1", "3"])
    assert net(idx).shape == before
    assert len(report.layers) == 3
    for layer in report.layers:
        assert layer.params_after <= (1 - ratio) * layer.params_before
        assert 0 <= layer.rel_error < 1
    assert report.params_after == count_parameters(net) < report.params_before
    kinds = {type(m) for m in net.modules()}
    assert (TTLinear in kinds) == (method == "tt")
    assert (LowRankLinear in kinds) == (method == "svd")
    if method == "tt":
        assert isinstance(net[0], TTEmbedding)


def test_more_compression_means_more_error():
    errors = []
    for ratio in (0.2, 0.5, 0.8):
        net = _net()
        errors.append(compress(net, ratio=ratio, method="tt", layers="1").layers[0].rel_error)
    assert errors[0] < errors[1] < errors[2]


def test_selection_by_pattern_and_predicate_and_skipping():
    net = _net()
    report = compress(net, ratio=0.5, method="svd", layers=lambda name, m: isinstance(m, nn.Linear))
    assert [layer.name for layer in report.layers] == ["1", "3"]
    assert report.skipped == ("4",)  # 64 x 2: no rank fits half its size
    assert isinstance(net[0], nn.Embedding) and isinstance(net[4], nn.Linear)


def test_bad_arguments():
    with pytest.raises(SuanliError, match="ratio"):
        compress(_net(), ratio=1.0)
    with pytest.raises(SuanliError, match="method"):
        compress(_net(), ratio=0.5, method="cp")
    with pytest.raises(SuanliError, match=r"no nn\.Linear"):
        compress(_net(), ratio=0.5, layers="encoder.*")


@pytest.mark.slow
def test_compress_a_bert_model_from_transformers():
    transformers = pytest.importorskip("transformers")
    cfg = transformers.BertConfig(
        vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256
    )
    torch.manual_seed(0)
    model = transformers.BertModel(cfg).eval()
    ids = torch.randint(0, 1000, (3, 12))
    with torch.no_grad():
        ref = model(input_ids=ids).last_hidden_state
    report = compress(model, ratio=0.5, method="tt", layers=["embeddings.word_embeddings", "encoder.*"])
    assert len(report.layers) == 1 + 2 * 6
    assert 0.3 < report.reduction < 0.5
    with torch.no_grad():
        out = model(input_ids=ids).last_hidden_state
    assert out.shape == ref.shape and torch.isfinite(out).all()
