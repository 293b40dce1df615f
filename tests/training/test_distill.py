"""Training package: losses against hand-computed values, backbone knobs, and short real runs of
prepare, teacher-embed and a distillation step on the sample photos in assets/samples."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs PyTorch")

from tests.fixtures import ROOT, TEACHERS  # noqa: E402
from training.backbone import StudentNet, count_params  # noqa: E402
from training.config import BackboneConfig, LossConfig  # noqa: E402
from training.losses import DistillLoss, MarginSoftmax, cosine_loss, l2_loss, relational_loss  # noqa: E402

TEACHER = TEACHERS / "mobileface_v2.onnx"
needs_teacher = pytest.mark.skipif(
    not TEACHER.is_file(), reason=f"teacher model not found at {TEACHER} (shared dev data absent)"
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # On a shared, busy CPU a multi-threaded step mostly waits on descheduled threads.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def sample_image(name: str) -> np.ndarray:
    return cv2.imread(str(ROOT / "assets" / "samples" / name))


@pytest.fixture(scope="module")
def detected():
    """t1.jpg (6 people) and its faces, found and aligned with the product's own detector."""
    try:
        from core.vision.detect import Detector
    except ImportError as exc:
        pytest.skip(f"core.vision.detect not available: {exc}")
    image = sample_image("t1.jpg")
    faces = Detector(min_face=20).detect(image)
    assert len(faces) >= 4, "t1.jpg should show several faces"
    return image, faces


# --- losses -------------------------------------------------------------------------------------


def test_cosine_loss_values():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    assert cosine_loss(a, a).item() == pytest.approx(0.0, abs=1e-6)
    assert cosine_loss(a, a.flip(1)).item() == pytest.approx(1.0)  # orthogonal rows
    assert cosine_loss(a, -a).item() == pytest.approx(2.0)


def test_l2_loss_values():
    a = torch.tensor([[3.0, 0.0]])
    assert l2_loss(a, torch.tensor([[5.0, 0.0]])).item() == pytest.approx(0.0, abs=1e-6)
    assert l2_loss(a, torch.tensor([[0.0, 1.0]])).item() == pytest.approx(math.sqrt(2))


def test_relational_loss_values():
    student = torch.randn(5, 8)
    # A rotation into another dimension keeps every cosine: the matrices match.
    q, _ = torch.linalg.qr(torch.randn(12, 8))
    assert relational_loss(student, student @ q.T).item() == pytest.approx(0.0, abs=1e-6)
    # Orthogonal pair (cos 0) against identical pair (cos 1): both off-diagonal entries differ by 1.
    s = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    t = torch.tensor([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    assert relational_loss(s, t).item() == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["arcface", "cosface"])
def test_margin_logits_for_known_angle(kind):
    head = MarginSoftmax(2, 2, kind, m=0.5, s=10.0)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    theta = math.radians(60)
    emb = torch.tensor([[math.cos(theta), math.sin(theta)]])
    logits = head.logits(emb, torch.tensor([0]))[0]
    target = math.cos(theta + 0.5) if kind == "arcface" else math.cos(theta) - 0.5
    assert logits[0].item() == pytest.approx(10 * target, abs=1e-4)
    assert logits[1].item() == pytest.approx(10 * math.sin(theta), abs=1e-4)  # no margin off-target
    expected = -math.log(math.exp(10 * target) / (math.exp(10 * target) + math.exp(10 * math.sin(theta))))
    assert head(emb, torch.tensor([0])).item() == pytest.approx(expected, abs=1e-4)


def test_margin_skips_unlabelled_rows():
    head = MarginSoftmax(4, 3)
    emb = torch.randn(3, 4)
    assert head(emb, torch.tensor([-1, -1, -1])).item() == 0.0
    assert head(emb, torch.tensor([-1, 2, 0])).item() == pytest.approx(head(emb[1:], torch.tensor([2, 0])).item())


# --- backbone -----------------------------------------------------------------------------------


def test_backbone_knobs():
    small = dict(width=0.25, depth=(1, 2, 1, 1), emb_size=64)
    with_se = StudentNet(BackboneConfig(**small, se=True))
    without = StudentNet(BackboneConfig(**small, se=False))
    assert count_params(with_se) > count_params(without)
    for size in (96, 112):
        model = StudentNet(BackboneConfig(**small, input_size=size)).eval()
        assert model(torch.zeros(2, 3, size, size)).shape == (2, 64)
    with pytest.raises(ValueError):
        BackboneConfig(input_size=100)
    with pytest.raises(ValueError):
        StudentNet(BackboneConfig(depth=(1, 1, 1)))


def test_default_student_within_limits():
    model = StudentNet(BackboneConfig())
    assert count_params(model) <= 1_000_000


def test_new_se_block_is_the_identity():
    """A teacher-initialised student starts with the teacher's output only if SE starts as x -> x."""
    model = StudentNet(BackboneConfig(width=0.25, depth=(1, 1, 1, 1), se=True)).eval()
    se = model.features[1].se
    x = torch.randn(2, se.excite.out_channels, 5, 5)
    assert torch.equal(se(x), x)


# --- real faces ---------------------------------------------------------------------------------


@pytest.mark.shared
@needs_teacher
def test_distillation_steps_lower_the_loss(detected):
    from core.vision.align import align
    from core.vision.embed import Embedder
    from training.data import resize, to_tensor

    image, faces = detected
    crops = np.stack([align(image, f.landmarks) for f in faces])
    crops = np.concatenate([crops, crops[:, :, ::-1]])  # mirrors: twice the faces, distinct targets
    teacher = torch.from_numpy(Embedder(TEACHER).embed_crops(np.ascontiguousarray(crops)))
    torch.manual_seed(0)
    model = StudentNet(BackboneConfig(width=0.25, depth=(1, 1, 1, 1), input_size=96, emb_size=32))
    criterion = DistillLoss(LossConfig(margin=0), 32, teacher.shape[1], classes=0)
    optimizer = torch.optim.Adam(list(model.parameters()) + list(criterion.parameters()), lr=3e-3)
    x = to_tensor(np.stack([resize(c, 96) for c in crops]))
    labels = torch.full((len(x),), -1)
    losses = []
    for _ in range(8):
        loss, _ = criterion(model(x), teacher, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.mark.shared
@needs_teacher
def test_student_starts_as_the_teacher_it_is_initialised_from(detected):
    """Weights, input normalisation (the teacher's in-graph Sub/Mul), conv biases and BN epsilons
    folded in: on real faces the student's embedding is the teacher's."""
    from core.vision.align import align
    from core.vision.embed import Embedder
    from training.data import to_tensor
    from training.teacher_init import init_from_onnx

    image, faces = detected
    crops = np.stack([align(image, f.landmarks) for f in faces])
    model = StudentNet(BackboneConfig())
    assert "initialised 38 layers" in init_from_onnx(model, TEACHER)
    with torch.no_grad():
        ours = torch.nn.functional.normalize(model.eval()(to_tensor(crops)), dim=1).numpy()
    theirs = Embedder(TEACHER).embed_crops(crops)
    assert np.abs(ours - theirs).max() < 1e-4
    with pytest.raises(ValueError, match="layers|shape"):
        init_from_onnx(StudentNet(BackboneConfig(depth=(3, 3, 2, 3))), TEACHER)


@pytest.mark.shared
@needs_teacher
def test_prepare_and_teacher_embed_smoke(detected, tmp_path):
    from training.prepare import prepare
    from training.teacher import teacher_embed

    image, faces = detected
    src = tmp_path / "photos"
    for i, face in enumerate(faces[:6]):
        x1, y1, x2, y2 = face.box.astype(int)
        pad = int(0.4 * (x2 - x1))
        crop = image[max(0, y1 - pad) : y2 + pad, max(0, x1 - pad) : x2 + pad]
        folder = src / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"{i}.jpg"), crop)
    cache = tmp_path / "cache"
    manifest = prepare(src, cache, pad=0.2, min_face=20, workers=1)
    n = manifest["faces"]
    assert n >= 4 and manifest["identities"] == ["a", "b"]
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    assert crops.shape == (n, 112, 112, 3) and crops.dtype == np.uint8
    landmarks = np.load(cache / "landmarks.npy")
    # Landmarks live in the aligned crop's frame: near the ArcFace template.
    assert (
        np.abs(
            landmarks.mean(0) - np.array([[38.3, 51.7], [73.5, 51.5], [56.0, 71.7], [41.5, 92.4], [70.7, 92.2]])
        ).max()
        < 6
    )
    assert set(np.load(cache / "labels.npy")) == {0, 1}

    info = teacher_embed(cache, str(TEACHER), workers=1)
    original, mirror = np.load(cache / "teacher.npy"), np.load(cache / "teacher_mirror.npy")
    assert original.shape == mirror.shape == (n, info["dim"])
    assert np.allclose(np.linalg.norm(original, axis=1), 1, atol=1e-4)
    same_face = (original * mirror).sum(1)
    assert (same_face > 0.5).all() and (same_face < 0.99999).all()

    # distill from the teacher's weights on that cache: one step, a checkpoint, a history line.
    import argparse
    import json

    from training import distill

    parser = argparse.ArgumentParser()
    distill.register(parser.add_subparsers())
    run = tmp_path / "run"
    args = parser.parse_args(
        [
            "distill",
            "--cache",
            str(cache),
            "--out",
            str(run),
            "--init-from",
            str(TEACHER),
            "--epochs",
            "1",
            "--batch",
            "2",
            "--threads",
            "1",
            "--freeze-bn",
            "--augment",
            "0.3",
        ]
    )
    args.func(args)
    history = [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]
    assert len(history) == 1 and history[0]["batches"] >= 1 and history[0]["cosine"] < 1
    state = torch.load(run / "last.pt", map_location="cpu", weights_only=False)
    assert state["config"]["init_from"] == str(TEACHER) and state["epoch"] == 1
