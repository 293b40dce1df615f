"""Alignment, the ONNX embedder on real faces, and the gallery search."""

import numpy as np

from core.matching.gallery import Gallery
from core.vision.align import ARCFACE_TEMPLATE, align, alignment_matrix
from core.vision.embed import Embedder, Ensemble, InputFormat, load_embedder
from core.vision.imaging import load_image


def test_alignment_moves_landmarks_onto_the_template(sample_images, detector):
    image = load_image(sample_images / "Tom_Hanks_54745.png")
    face = detector.detect(image)[0]
    matrix = alignment_matrix(face.landmarks)
    moved = np.hstack([face.landmarks, np.ones((5, 1))]) @ matrix.T
    # A similarity transform cannot undo a turned head, so the nose keeps a few pixels of error.
    error = np.linalg.norm(moved - ARCFACE_TEMPLATE, axis=1)
    assert error.mean() < 5.0 and error.max() < 12.0
    crop = align(image, face.landmarks)
    assert crop.shape == (112, 112, 3)
    # Another template (a teacher's metadata) goes through the generic estimate and agrees.
    shifted = ARCFACE_TEMPLATE + 0.01
    assert np.allclose(alignment_matrix(face.landmarks, template=shifted), matrix, atol=0.05)


def test_metadata_and_defaults(teachers):
    teacher = Embedder(teachers / "mobilefacenet_ncnn.onnx")
    assert teacher.format.mean == 127.5 and teacher.format.std == 128 and teacher.dim == 128
    assert InputFormat.from_metadata({}) == InputFormat()  # insightface conventions
    fmt = InputFormat(size=(96, 96), channel_order="BGR", mean=0, std=1)
    assert InputFormat.from_metadata(fmt.to_metadata()).size == (96, 96)


def test_same_person_scores_higher_than_strangers(lfw, teachers, detector):
    embedder = load_embedder(teachers / "mobileface_v2.onnx", flip=True)

    def embed(name, index):
        image = load_image(lfw / name / f"{name}_{index:04d}.jpg")
        return embedder.embed(image, [detector.detect(image)[0].landmarks])[0]

    bush = [embed("George_W_Bush", i) for i in (7, 16, 65)]
    powell = [embed("Colin_Powell", i) for i in (40, 49)]
    blair = embed("Tony_Blair", 18)
    for vec in bush + powell + [blair]:
        assert vec.dtype == np.float32 and abs(np.linalg.norm(vec) - 1) < 1e-5
    same = [bush[0] @ bush[1], bush[0] @ bush[2], powell[0] @ powell[1]]
    different = [bush[0] @ powell[0], bush[1] @ blair, powell[1] @ blair]
    assert min(same) > max(different) + 0.1, (same, different)


def test_batching_and_ensemble(sample_images, teachers, detector):
    image = load_image(sample_images / "t1.jpg")
    landmarks = [f.landmarks for f in detector.detect(image)][:6]
    single = Embedder(teachers / "mobileface_v2.onnx")
    batch = single.embed(image, landmarks)
    one_by_one = np.vstack([single.embed(image, [lm]) for lm in landmarks])
    assert batch.shape == (6, 256) and np.allclose(batch, one_by_one, atol=1e-4)
    ensemble = Ensemble([single, Embedder(teachers / "mobilefacenet_ncnn.onnx")])
    joint = ensemble.embed(image, landmarks)
    assert joint.shape == (6, 384) and np.allclose(np.linalg.norm(joint, axis=1), 1, atol=1e-5)
    assert single.embed_crops([]).shape == (0, 256)


def test_gallery_search_many_templates_per_person():
    rng = np.random.default_rng(0)
    people = rng.standard_normal((50, 128)).astype(np.float32)
    templates = np.repeat(people, 3, axis=0) + 0.3 * rng.standard_normal((150, 128)).astype(np.float32)
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    ids = np.repeat(np.arange(100, 150), 3)
    shuffle = rng.permutation(150)
    gallery = Gallery(templates[shuffle], ids[shuffle], {120: "Ada"})
    query = people[20] / np.linalg.norm(people[20])
    top = gallery.search(query, k=3)[0]
    assert top[0].person_id == 120 and top[0].name == "Ada" and len(top) == 3
    assert top[0].similarity >= top[1].similarity >= top[2].similarity
    assert gallery.identify(query[None], threshold=0.99)[0].person_id is None
    assert Gallery().search(query) == [[]]


def test_gallery_search_100k_templates_is_fast():
    rng = np.random.default_rng(0)
    templates = rng.standard_normal((100_000, 128)).astype(np.float32)
    gallery = Gallery(templates, np.arange(100_000) // 4)
    # Fast because the templates are one contiguous float32 matrix, grouped by person: a search is
    # one matrix product and one reduceat, for any number of faces at once. `facegate bench`
    # prints the time (its match stage); no test times it on a shared machine.
    assert gallery.templates.dtype == np.float32 and gallery.templates.flags.c_contiguous
    assert np.all(np.diff(gallery.person_ids) >= 0)
    queries = templates[[12345, 777, 99_999]]
    found = gallery.search(queries, k=5)
    assert [matches[0].person_id for matches in found] == [12345 // 4, 777 // 4, 99_999 // 4]
    # The batch finds what one face at a time finds (up to the product's summation order).
    alone = [gallery.search(query, k=5)[0] for query in queries]
    assert [[m.person_id for m in ms] for ms in found] == [[m.person_id for m in ms] for ms in alone]
    assert np.allclose([[m.similarity for m in ms] for ms in found], [[m.similarity for m in ms] for ms in alone])
