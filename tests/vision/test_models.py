"""The image models on synthetic surfaces (ours): the weights are ImageNet's, the classifier and the anomaly
model learn, save and load, and their heatmaps point at the defects."""

from __future__ import annotations

import numpy as np
import pytest

from shopfloor.errors import InputError, NotBuiltError


def test_packaged_weights_are_imagenet_weights(backbone):
    """A photo of a temple (scikit-learn's sample image) is a palace/castle/bell cote to the network: the
    weights load into the right architecture (a wrong padding or layer order gives noise)."""
    import torch
    from sklearn.datasets import load_sample_image

    from shopfloor.vision.backbone import to_tensor

    with torch.inference_mode():
        top5 = backbone.net(to_tensor([load_sample_image("china.jpg")])).topk(5).indices[0].tolist()
    assert {442, 483, 698} & set(top5), top5  # bell cote, castle, palace


def test_features_of_any_size(backbone):
    feats = backbone.embed([np.zeros((37, 300, 3), np.uint8), np.full((200, 200, 3), 128, np.uint8)])
    assert feats.shape == (2, 1280) and np.isfinite(feats).all()
    assert backbone.patches([np.zeros((50, 50, 3), np.uint8)]).shape == (1, 28, 28, 120)
    padded = backbone.patches([np.zeros((50, 70, 3), np.uint8)], size=256, blocks=(7, 10), pad=32, normalise=True)
    assert padded.shape == (1, 32, 32, 192)  # the mirrored margin is cut off the grid again


def test_classifier_learns_saves_and_flags_the_unsure(trained, surfaces, backbone, tmp_path):
    from PIL import Image

    from shopfloor.vision.images import read_folder
    from shopfloor.vision.model import evaluate, load_model

    clf, _ = trained
    assert clf.meta["cv_accuracy"] >= 0.8 and 0 < clf.review_threshold <= 1
    assert clf.meta["data"] == str(surfaces / "train")
    r = evaluate(clf, read_folder(surfaces / "test"), backbone=backbone)
    assert r["accuracy"] >= 0.8 and set(r) >= {"accuracy", "macro_f1", "per_class_recall", "review_rate"}
    clf.save(tmp_path / "m")
    again = load_model(tmp_path / "m")
    imgs = [np.asarray(Image.open(p).convert("RGB")) for p in read_folder(surfaces / "test").paths[:6]]
    a = clf.predict_arrays(imgs, list("abcdef"), backbone=backbone)
    b = again.predict_arrays(imgs, list("abcdef"), backbone=backbone)
    assert [x.label for x in a] == [x.label for x in b]
    assert np.allclose([x.confidence for x in a], [x.confidence for x in b], atol=1e-5)
    noise = np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)  # nothing like a surface
    weird = clf.predict_arrays([noise], ["noise"], backbone=backbone)[0]
    assert weird.heatmap.shape == (7, 7) and 0 <= weird.heatmap.min() and weird.heatmap.max() <= 1
    assert weird.needs_review == (weird.confidence < clf.review_threshold)


def test_classifier_refuses_too_little_data(tmp_path, backbone):
    from PIL import Image

    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import read_folder

    for c, n in (("a", 3), ("b", 1)):
        (tmp_path / c).mkdir()
        for i in range(n):
            Image.new("L", (30, 30), 50 * i).save(tmp_path / c / f"{i}.png")
    with pytest.raises(InputError, match="class 'b' has 1 image"):
        DefectClassifier.train(read_folder(tmp_path), backbone=backbone)
    with pytest.raises(InputError, match="at least two class folders"):
        DefectClassifier.train(read_folder(tmp_path, only=["a"]), backbone=backbone)


def test_anomaly_model_separates_defects_and_its_heatmap_finds_them(trained, surfaces, backbone):
    from PIL import Image
    from sklearn.metrics import roc_auc_score

    from shopfloor.vision.images import read_folder
    from shopfloor.vision.model import evaluate
    from shopfloor.vision.results import upsample

    _, an = trained
    assert an.meta["images"] == 10 and 0.0 < an.meta["target_false_alarm"] < 0.5
    r = evaluate(an, read_folder(surfaces / "test"), backbone=backbone)
    assert r["auroc"] >= 0.9, r
    test = read_folder(surfaces / "test")
    defects = [p for p, lab in zip(test.paths, test.labels, strict=True) if lab != "clean"]
    imgs = [np.asarray(Image.open(p).convert("RGB")) for p in defects]
    _, maps = an.score_maps(imgs, backbone)
    y, s = [], []
    for p, img, m in zip(defects, imgs, maps, strict=True):
        mask = np.asarray(Image.open(surfaces / "test_masks" / p.parent.name / p.name)) > 127
        y.append(mask.ravel())
        s.append(upsample(m, img.shape[:2]).ravel())
    assert roc_auc_score(np.concatenate(y), np.concatenate(s)) >= 0.8  # pixel AUROC: the heat is on the defect


def test_run_merges_models_and_keeps_going_past_bad_files(trained, surfaces, backbone):
    from shopfloor.vision.model import run

    clf, an = trained
    good = surfaces / "test" / "scratch" / "scratch_000.png"
    out = run([an, clf], [("s.png", good), ("bad.png", b"nope"), ("s2.png", good.read_bytes())], backbone=backbone)
    assert [r.image for r in out] == ["s.png", "bad.png", "s2.png"]
    assert out[0].label == "scratch" and out[0].anomaly_score is not None and out[0].heatmap.shape == (32, 32)
    assert out[1].error and out[1].label is None
    assert out[2].label == out[0].label
    with pytest.raises(NotBuiltError):
        run([], [("s.png", good)])


def test_load_model_explains_what_is_missing(tmp_path):
    from shopfloor.vision.model import load_model

    with pytest.raises(NotBuiltError, match="shopfloor inspect train"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text("{broken")
    (tmp_path / "weights.npz").write_bytes(b"")
    with pytest.raises(NotBuiltError, match="damaged"):
        load_model(tmp_path)


def test_synthetic_surfaces_are_seeded_and_masked():
    from shopfloor.vision.synth import CLASSES, surface

    a, ma = surface("crack", 5)
    b, mb = surface("crack", 5)
    assert (a == b).all() and (ma == mb).all() and ma.any()
    assert not surface("clean", 5)[1].any()
    assert all(surface(c, 1)[0].shape == (200, 200) for c in CLASSES)


def test_anomaly_scores_are_standardised_per_edge_band_and_old_models_still_score(trained, backbone, tmp_path):
    from shopfloor.vision.anomaly import BANDS, AnomalyModel, bands
    from shopfloor.vision.model import load_model

    b = bands(8, 10)
    assert b[0, 0] == 0 and b[4, 5] == (BANDS + 1) ** 2 - 1 and b[0, 5] == BANDS and b[4, 0] == BANDS * (BANDS + 1)
    assert (b == b[::-1, ::-1]).all()  # the four edges are alike
    _, an = trained
    assert an.band_mean is not None and an.band_sd is not None and an.band_sd.min() > 0
    an.save(tmp_path / "an")
    again = load_model(tmp_path / "an")
    assert np.allclose(again.band_mean, an.band_mean) and again.settings == an.settings
    # a model saved before position statistics: 224 px, blocks 4 and 7 (120-d), raw distances
    old = AnomalyModel(np.random.default_rng(0).random((50, 120), dtype=np.float32), 2.0, "clean", {"input_size": 224})
    scores, maps = old.score_maps([np.full((60, 80, 3), 90, np.uint8)], backbone)
    assert maps.shape == (1, 28, 28) and scores[0] > 0


def test_unsure_class_and_unlike_good_parts_is_an_unknown_kind(tmp_path):
    from PIL import Image

    from shopfloor.vision.model import run
    from shopfloor.vision.results import InspectionResult

    class Fake:
        def __init__(self, kind, results):
            self.kind, self.results, self.normal_class = kind, results, "good"

        def predict_arrays(self, imgs, names, backbone=None, heatmaps=True):
            return [InspectionResult(image=n, **r) for n, r in zip(names, self.results, strict=True)]

    clf = Fake("classifier", [{"label": "crack", "confidence": 0.41, "needs_review": True},
                              {"label": "crack", "confidence": 0.97},
                              {"label": "good", "confidence": 0.9},
                              {"label": "crack", "confidence": 0.45, "needs_review": True}])
    an = Fake("anomaly", [{"anomaly_score": 3.0, "anomalous": True}, {"anomaly_score": 2.0, "anomalous": True},
                          {"anomaly_score": 1.5, "anomalous": True}, {"anomaly_score": 0.4, "anomalous": False}])
    Image.new("RGB", (40, 40)).save(tmp_path / "p.png")
    out = run([an, clf], [(f"{i}.png", tmp_path / "p.png") for i in range(4)], backbone=object())
    assert [r.unknown for r in out] == [True, False, False, False]
    assert "never shown" in out[0].review_reason and out[0].needs_review
    assert out[2].needs_review and "unlike the good parts" in out[2].review_reason  # "good" but anomalous
    assert out[0].to_dict()["unknown"] is True
