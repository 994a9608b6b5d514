"""The router's classifier: learns separable routes, saves without pickle, refuses bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dari.chat.router.classifier import Classifier
from dari.chat.router.features import Mention, features, normalise

# "알려줘", "보여줘" occur in every route, as they do in real questions.
TRAIN = {
    "receivables": ["ENTCUSTOMER 미수금 얼마야", "미수금 현황 보여줘", "받을 돈 알려줘"],
    "stock": ["ENTITEM 재고 몇 개야", "재고 현황 알려줘", "창고에 남은 수량 보여줘"],
    "doc_qa": ["연차 규정 알려줘", "출장비 기준이 뭐야", "보안 지침 보여줘"],
}


def _model() -> Classifier:
    samples, labels = [], []
    for label, texts in TRAIN.items():
        for text in texts:
            samples.append(features(text.lower() if "ENT" not in text else text))
            labels.append(label)
    return Classifier.train(samples, labels, steps=150)


def test_learns_routes_and_generalises_to_new_wording() -> None:
    model = _model()
    assert model.predict(features("거래처 미수금 알려줘")).label == "receivables"
    assert model.predict(features("재고 얼마나 있어")).label == "stock"
    assert model.predict(features("출장 규정이 어떻게 돼")).label == "doc_qa"
    prediction = model.predict(features("미수금"))
    assert prediction.confidence == prediction.ranked[0][1] > prediction.ranked[1][1]
    assert abs(sum(p for _, p in prediction.ranked) - 1.0) < 1e-5


def test_placeholders_replace_mentions_longest_first() -> None:
    text = "한빛상사 10월 미수금"
    mentions = [Mention("customer", 0, 4), Mention("period", 5, 8), Mention("item", 0, 2)]
    assert normalise(text, mentions) == "ENTCUSTOMER ENTPERIOD 미수금"
    assert features(normalise(text, mentions))["has:ENTCUSTOMER"] == 1.0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = _model()
    model.meta["fingerprint"] = "abc"
    path = tmp_path / "router" / "model.npz"
    model.save(path)
    loaded = Classifier.load(path)
    assert loaded.labels == model.labels and loaded.meta["fingerprint"] == "abc"
    sample = features("ENTCUSTOMER 미수금 알려줘")
    assert loaded.predict(sample).label == model.predict(sample).label == "receivables"
    assert np.allclose(
        [p for _, p in loaded.predict(sample).ranked],
        [p for _, p in model.predict(sample).ranked],
        atol=1e-3,
    )


def test_load_refuses_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a router model"):
        Classifier.load(bad)
    pickled = tmp_path / "p.npz"
    np.savez(pickled, header=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        Classifier.load(pickled)


def test_training_needs_labels() -> None:
    with pytest.raises(ValueError):
        Classifier.train([], [])
