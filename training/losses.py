"""Distillation and identity losses; each a small function or module with a closed form that
tests check against hand-computed values."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from training.config import LossConfig


def cosine_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean of 1 - cos: 0 for the same direction, 1 for orthogonal, 2 for opposite."""
    return (1 - F.cosine_similarity(student, teacher, dim=1)).mean()


def l2_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean Euclidean distance between the L2-normalised vectors (sqrt(2) when orthogonal)."""
    return (F.normalize(student, dim=1) - F.normalize(teacher, dim=1)).norm(dim=1).mean()


def relational_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """MSE between the batch's cosine-similarity matrices; dims may differ, the matrices are N x N.

    The diagonal is 1 in both, so it is left out of the mean."""
    s = F.normalize(student, dim=1)
    t = F.normalize(teacher, dim=1)
    n = len(s)
    off = ~torch.eye(n, dtype=torch.bool, device=s.device)
    return F.mse_loss((s @ s.T)[off], (t @ t.T)[off])


class MarginSoftmax(nn.Module):
    """ArcFace (cos(theta + m)) or CosFace (cos(theta) - m) logits, scaled by s, then
    cross-entropy; rows with label < 0 (unlabelled photos) are skipped."""

    def __init__(self, emb_size: int, classes: int, kind: str = "arcface", m: float = 0.4, s: float = 32.0):
        super().__init__()
        if kind not in ("arcface", "cosface"):
            raise ValueError(f"margin kind must be arcface or cosface, got {kind!r}")
        self.kind, self.m, self.s = kind, m, s
        self.weight = nn.Parameter(torch.empty(classes, emb_size))
        nn.init.normal_(self.weight, std=0.01)

    def logits(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        cos = F.linear(F.normalize(embeddings, dim=1), F.normalize(self.weight, dim=1)).clamp(-1, 1)
        target = cos.gather(1, labels[:, None])
        if self.kind == "cosface":
            margined = target - self.m
        else:
            theta = torch.acos(target.clamp(-1 + 1e-6, 1 - 1e-6))
            # Past pi - m, cos(theta + m) would rise again; the usual linear fallback keeps it
            # decreasing (insightface's "easy margin" off variant).
            margined = torch.where(
                theta + self.m < math.pi, torch.cos(theta + self.m), target - self.m * math.sin(self.m)
            )
        return self.s * cos.scatter(1, labels[:, None], margined)

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        known = labels >= 0
        if not known.any():
            return embeddings.new_zeros(())
        return F.cross_entropy(self.logits(embeddings[known], labels[known]), labels[known])


class DistillLoss(nn.Module):
    """The weighted sum of LossConfig's terms; returns the total and each term for logging.

    The feature terms compare the teacher with a linear projection of the student embedding
    (only when dims differ; dropped at export), so the student's own vector stays compact; the
    relational and margin terms act on that own vector, which is what the app compares."""

    def __init__(self, cfg: LossConfig, emb_size: int, teacher_dim: int, classes: int):
        super().__init__()
        self.cfg = cfg
        self.project = nn.Linear(emb_size, teacher_dim, bias=False) if emb_size != teacher_dim else nn.Identity()
        self.margin = (
            MarginSoftmax(emb_size, classes, cfg.margin_kind, cfg.margin_m, cfg.margin_s)
            if cfg.margin > 0 and classes > 0
            else None
        )

    def forward(self, student, teacher, labels) -> tuple[torch.Tensor, dict[str, float]]:
        projected = self.project(student)
        terms = {}
        if self.cfg.cosine:
            terms["cosine"] = (self.cfg.cosine, cosine_loss(projected, teacher))
        if self.cfg.l2:
            terms["l2"] = (self.cfg.l2, l2_loss(projected, teacher))
        if self.cfg.relational:
            terms["relational"] = (self.cfg.relational, relational_loss(student, teacher))
        if self.margin is not None:
            terms["margin"] = (self.cfg.margin, self.margin(student, labels))
        weighted = [w * v for w, v in terms.values()]
        total = weighted[0]
        for term in weighted[1:]:
            total = total + term
        return total, {k: float(v.detach()) for k, (_, v) in terms.items()}
