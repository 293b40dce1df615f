"""Enrolled templates in memory: one float32 matrix searched with a single matrix product; and
which stored templates a model's gallery holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from core.types import Match

if TYPE_CHECKING:
    from core.store import Store
    from core.vision.embed import FaceEmbedder


class Gallery:
    """Templates of many people, several per person; search returns each face's best people.

    A person's score is their best template's cosine similarity, so extra templates of other
    poses only help. Rows are grouped by person so that per-person maxima are one reduceat.
    """

    def __init__(
        self,
        templates: np.ndarray | None = None,
        person_ids: Sequence[int] | np.ndarray = (),
        names: dict[int, str] | None = None,
    ):
        templates = np.zeros((0, 0), np.float32) if templates is None else np.asarray(templates, np.float32)
        ids = np.asarray(person_ids, dtype=np.int64)
        if len(ids) != len(templates):
            raise ValueError(f"{len(templates)} templates but {len(ids)} person ids")
        order = np.argsort(ids, kind="stable")
        self.templates = np.ascontiguousarray(templates[order])
        self.person_ids = ids[order]
        self.people, self._starts = np.unique(self.person_ids, return_index=True)
        self.names = dict(names or {})

    def __len__(self) -> int:
        return len(self.templates)

    def person_scores(self, embeddings: np.ndarray) -> np.ndarray:
        """(N, people) each embedding's score for each person (columns in the order of self.people)."""
        embeddings = np.atleast_2d(np.asarray(embeddings, np.float32))
        return np.maximum.reduceat(embeddings @ self.templates.T, self._starts, axis=1)

    def search(self, embeddings: np.ndarray, k: int = 1, threshold: float = -1.0) -> list[list[Match]]:
        """For each embedding, up to k people with similarity >= threshold, best first."""
        embeddings = np.atleast_2d(np.asarray(embeddings, np.float32))
        if len(self.templates) == 0:
            return [[] for _ in embeddings]
        per_person = self.person_scores(embeddings)
        k = min(k, per_person.shape[1])
        top = np.argpartition(-per_person, k - 1, axis=1)[:, :k]
        results = []
        for row, candidates in zip(per_person, top):
            ranked = candidates[np.argsort(-row[candidates])]
            results.append(
                [
                    Match(int(self.people[j]), float(row[j]), self.names.get(int(self.people[j])))
                    for j in ranked
                    if row[j] >= threshold
                ]
            )
        return results

    def identify(self, embeddings: np.ndarray, threshold: float) -> list[Match]:
        """One Match per embedding: the best person, or person_id None below the threshold."""
        best = self.search(embeddings, k=1, threshold=-1.0)
        return [
            m[0] if m and m[0].similarity >= threshold else Match(None, m[0].similarity if m else -1.0) for m in best
        ]


def model_key(embedder: FaceEmbedder) -> tuple[str, str]:
    """(model id, version) stamped on templates. Lookups and staleness match the id alone (for a
    file without metadata, the file's digest): a re-export that changes only metadata, and with it
    the version, computes the same embeddings and must not make every template stale."""
    return embedder.model_id, embedder.metadata.get("facegate.model_version", "")


def load_gallery(store: Store, embedder: FaceEmbedder) -> Gallery:
    """The active people's templates made with this embedder's model."""
    templates, person_ids, names = store.templates_for_gallery(embedder.model_id)
    return Gallery(templates, person_ids, dict(zip(person_ids.tolist(), names)))
