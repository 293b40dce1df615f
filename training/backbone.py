"""The student: a MobileNetV2-style face net, as in MobileFaceNets (Chen et al. 2018) and MobileFace:
a stride-2 3x3 stem, inverted-residual bottlenecks (1x1 expand, 3x3 depthwise, linear 1x1
project) with ReLU6, squeeze-and-excitation on each bottleneck's output, and a position-aware
head (flatten + linear + BN) rather than global average pooling, which would treat the eyes and
the background corners alike.

At its default size it has the same layers, in the same order, as the lightest shared teacher
(MobileFace V2) plus the SE blocks, so `distill --init-from` can start from that teacher's
weights (see teacher_init); any width, depth, input or embedding size also trains from scratch.
"""

from __future__ import annotations

import torch
from torch import nn

from training.config import BackboneConfig

STEM = 32
# Per stride-2 stage: base channels and expansion of its bottlenecks.
STAGES = ((32, 3), (32, 3), (64, 3), (128, 3))
# MXNet's BatchNorm epsilon, so imported statistics mean what they meant in the teacher.
BN_EPS = 1e-3


def _round(channels: float, divisor: int = 8) -> int:
    return max(divisor, int(channels + divisor / 2) // divisor * divisor)


class ConvBN(nn.Sequential):
    def __init__(self, cin, cout, kernel=1, stride=1, groups=1, act=True):
        layers = [
            nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout, eps=BN_EPS),
        ]
        if act:
            layers.append(nn.ReLU6(inplace=True))
        super().__init__(*layers)


class SqueezeExcite(nn.Module):
    """Channel gate 2 * sigmoid(z): its last layer starts at zero, so a new SE block is exactly
    the identity and a student started from a teacher's weights starts with the teacher's
    output; the gate then learns to reweight channels (range 0..2) from there."""

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        hidden = _round(channels / reduction)
        self.squeeze = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True))
        self.excite = nn.Conv2d(hidden, channels, 1)
        self.reset()

    def reset(self):
        nn.init.zeros_(self.excite.weight)
        nn.init.zeros_(self.excite.bias)

    def forward(self, x):
        return x * (2 * torch.sigmoid(self.excite(self.squeeze(x))))


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, stride, expansion, se):
        super().__init__()
        hidden = cin * expansion
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            ConvBN(cin, hidden),
            ConvBN(hidden, hidden, 3, stride, groups=hidden),
            ConvBN(hidden, cout, act=False),  # linear bottleneck
        )
        # On the block's output, before the residual sum (SE-ResNet's place): 1/4-1/9 of the
        # parameters of a gate on the expanded channels, which would push the net past 1 M.
        self.se = SqueezeExcite(cout) if se else nn.Identity()

    def forward(self, x):
        out = self.se(self.body(x))
        return x + out if self.residual else out


class StudentNet(nn.Module):
    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        if len(cfg.depth) != len(STAGES):
            raise ValueError(f"depth needs {len(STAGES)} numbers, got {cfg.depth}")
        self.cfg = cfg
        cin = _round(STEM * cfg.width)
        layers: list[nn.Module] = [ConvBN(3, cin, 3, 2)]
        side = (cfg.input_size + 1) // 2
        for (base, expansion), blocks in zip(STAGES, cfg.depth):
            cout = _round(base * cfg.width)
            for i in range(blocks):
                layers.append(Bottleneck(cin, cout, 2 if i == 0 else 1, expansion, cfg.se))
                cin = cout
            side = (side + 1) // 2
        self.features = nn.Sequential(*layers)
        self.embedding = nn.Sequential(
            nn.Flatten(),
            nn.Linear(cin * side * side, cfg.emb_size, bias=False),
            nn.BatchNorm1d(cfg.emb_size, eps=BN_EPS),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
        for m in self.modules():
            if isinstance(m, SqueezeExcite):
                m.reset()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, S, S) normalised crops -> (N, emb_size) unnormalised embeddings."""
        return self.embedding(self.features(x))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, input_size: int) -> int:
    """Multiply-adds of convolutions and linear layers for one face."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            total += output.numel() * k
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, input_size, input_size))
    model.train(was_training)
    for h in handles:
        h.remove()
    return total
