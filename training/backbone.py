"""MobileFaceNet-style student: stride-2 3x3 stem, depthwise conv, inverted-residual bottlenecks
(optionally with squeeze-and-excitation), 1x1 expansion, linear global depthwise conv (GDConv)
and a linear embedding layer with BatchNorm (Chen et al. 2018, MobileFaceNets)."""
from __future__ import annotations

import torch
from torch import nn

from .config import BackboneConfig

# Per stage: base channels, expansion of the first (downsampling) block, expansion of the rest.
# MobileFaceNet's own settings; stage 1 runs at 1/4 of the input side, stage 3 at 1/16.
STAGES = ((64, 2, 2), (128, 4, 2), (128, 4, 2))
STEM = 64
HEAD = 512


def _round(channels: float, divisor: int = 8) -> int:
    return max(divisor, int(channels + divisor / 2) // divisor * divisor)


class PReLU(nn.PReLU):
    """nn.PReLU with a faster training path: PyTorch's CPU PReLU backward kernel took a third of
    a training step here, clamp + multiply trains ~2x faster. Same parameters; eval and ONNX export
    keep the native op, which onnxruntime runs as one kernel."""

    def forward(self, x):
        if not self.training or torch.onnx.is_in_onnx_export():
            return super().forward(x)
        return x.clamp(min=0) + self.weight.view(1, -1, 1, 1) * x.clamp(max=0)


class ConvBN(nn.Sequential):
    def __init__(self, cin, cout, kernel=1, stride=1, groups=1, act=True):
        layers = [
            nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
        ]
        if act:
            layers.append(PReLU(cout))
        super().__init__(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        hidden = _round(channels / reduction)
        self.fc = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(channels, hidden, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return x * self.fc(x)


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, stride, expansion, se):
        super().__init__()
        hidden = cin * expansion
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            ConvBN(cin, hidden),
            ConvBN(hidden, hidden, 3, stride, groups=hidden),
            SqueezeExcite(hidden) if se else nn.Identity(),
            ConvBN(hidden, cout, act=False),  # linear bottleneck
        )

    def forward(self, x):
        out = self.body(x)
        return x + out if self.residual else out


class MobileFaceNet(nn.Module):
    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        if len(cfg.depth) != len(STAGES):
            raise ValueError(f"depth needs {len(STAGES)} numbers, got {cfg.depth}")
        self.cfg = cfg
        stem = _round(STEM * cfg.width)
        layers = [ConvBN(3, stem, 3, 2), ConvBN(stem, stem, 3, 1, groups=stem)]
        cin = stem
        for (base, first_t, rest_t), blocks in zip(STAGES, cfg.depth):
            cout = _round(base * cfg.width)
            for i in range(blocks):
                layers.append(
                    Bottleneck(cin, cout, 2 if i == 0 else 1, first_t if i == 0 else rest_t, cfg.se)
                )
                cin = cout
        head = _round(HEAD * cfg.width)
        layers.append(ConvBN(cin, head))
        self.features = nn.Sequential(*layers)
        side = cfg.input_size // 16
        # GDConv: a learned, position-aware pooling; global average pooling would treat the
        # eyes and the background corners alike.
        self.gdconv = ConvBN(head, head, side, 1, groups=head, act=False)
        self.gdconv[0].padding = (0, 0)
        self.embedding = nn.Sequential(
            nn.Conv2d(head, cfg.emb_size, 1, bias=False), nn.BatchNorm2d(cfg.emb_size)
        )
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, S, S) normalised crops -> (N, emb_size) unnormalised embeddings."""
        return self.embedding(self.gdconv(self.features(x))).flatten(1)


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
