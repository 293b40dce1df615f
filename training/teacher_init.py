"""Start a student from the weights of an ONNX teacher with the same layers.

Distilling a 0.9 M-parameter student from random weights needs far more steps than a 2-core CPU
gives in a session (50 minutes reached 84.7% on LFW). The lightest shared teacher has the
student's own shape, so the student starts from it, with its SE blocks at identity, and the
distillation then moves it towards the ensemble. The ONNX graph is read layer by layer in order
(Conv or Gemm, each followed by a BatchNormalization) and paired with the student's conv/linear +
BN layers outside the SE blocks; shapes must agree one for one.

Folded into the student's conventions on the way in: the teacher's input normalisation (its
`face.*` metadata and any leading scalar Sub/Mul/Div/Add nodes) and channel order go into the
first conv, conv biases into the following BN's running mean (the student's convs and linear
layers have none, BN follows each), and BN epsilons into the running variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from core.vision.embed import InputFormat
from training.backbone import SqueezeExcite, StudentNet
from training.data import MEAN, STD


@dataclass
class Layer:
    name: str
    weight: np.ndarray
    bias: np.ndarray | None = None
    bn: dict[str, np.ndarray] | None = None
    bn_eps: float = 1e-5


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _input_affine(graph, consts: dict) -> tuple[float, float]:
    """(alpha, beta) of the scalar ops between the graph input and the first Conv: u = a*x + b."""
    alpha, beta = 1.0, 0.0
    for node in graph.node:
        if node.op_type == "Conv":
            break
        values = [consts[i] for i in node.input if i in consts]
        if node.op_type not in ("Sub", "Mul", "Div", "Add") or len(values) != 1 or values[0].size != 1:
            raise ValueError(f"cannot fold {node.op_type} node {node.name!r} before the first Conv")
        c = float(values[0].reshape(()))
        if node.op_type == "Sub":
            beta -= c
        elif node.op_type == "Add":
            beta += c
        elif node.op_type == "Mul":
            alpha, beta = alpha * c, beta * c
        else:
            alpha, beta = alpha / c, beta / c
    return alpha, beta


def _constants(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Initializers and Constant nodes' outputs, by name."""
    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(_attrs(node)["value"])
    return consts


def read_layers(model: onnx.ModelProto, consts: dict[str, np.ndarray]) -> list[Layer]:
    layers: list[Layer] = []
    for node in model.graph.node:
        params = [consts[i] for i in node.input[1:] if i in consts]
        if node.op_type == "Conv":
            layers.append(Layer(node.name, params[0], params[1] if len(params) > 1 else None))
        elif node.op_type == "Gemm":
            attrs = _attrs(node)
            weight = params[0] if attrs.get("transB", 0) else params[0].T
            layers.append(
                Layer(
                    node.name,
                    weight * attrs.get("alpha", 1.0),
                    params[1] * attrs.get("beta", 1.0) if len(params) > 1 else None,
                )
            )
        elif node.op_type == "BatchNormalization":
            if not layers or layers[-1].bn is not None:
                raise ValueError(f"BatchNormalization {node.name!r} does not follow a Conv or Gemm")
            gamma, beta, mean, var = params
            layers[-1].bn = {"weight": gamma, "bias": beta, "running_mean": mean, "running_var": var}
            layers[-1].bn_eps = float(_attrs(node).get("epsilon", 1e-5))
    return layers


def student_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d | nn.Linear, nn.BatchNorm1d | nn.BatchNorm2d]]:
    """(name, conv or linear, its BN) in forward order, leaving out the SE blocks (no counterpart)."""
    skip = tuple(f"{n}." for n, m in model.named_modules() if isinstance(m, SqueezeExcite))
    found: list[tuple[str, nn.Conv2d | nn.Linear, nn.BatchNorm1d | nn.BatchNorm2d]] = []
    pending: tuple[str, nn.Conv2d | nn.Linear] | None = None
    for name, m in model.named_modules():
        if name.startswith(skip):
            continue
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            pending = (name, m)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and pending:
            found.append((*pending, m))
            pending = None
    return found


@torch.no_grad()
def init_from_onnx(model: StudentNet, path: str | Path) -> str:
    """Copy the teacher's weights into `model` in place; returns a one-line report."""
    proto = onnx.load(str(path))
    fmt = InputFormat.from_metadata({p.key: p.value for p in proto.metadata_props})
    size = model.cfg.input_size
    if fmt.size != (size, size):
        raise ValueError(f"{path}: input {fmt.size} but the student's is {size}x{size}")
    consts = _constants(proto)
    teacher, ours = read_layers(proto, consts), student_layers(model)
    if len(teacher) != len(ours):
        raise ValueError(f"{path}: {len(teacher)} conv/linear+BN layers, the student has {len(ours)}")
    # Student input v = (p - MEAN) / STD; the teacher's first conv sees u = alpha * x + beta with
    # x = (p - fmt.mean) / fmt.std, so u = scale * v + shift.
    alpha, beta = _input_affine(proto.graph, consts)
    scale = alpha * STD / fmt.std
    shift = alpha * (MEAN - fmt.mean) / fmt.std + beta
    for i, (layer, (name, module, bn)) in enumerate(zip(teacher, ours)):
        weight = layer.weight.astype(np.float32)
        if weight.shape != tuple(module.weight.shape):
            raise ValueError(
                f"{path}: {layer.name} has shape {weight.shape}, student {name} {tuple(module.weight.shape)}"
            )
        if layer.bn is None:
            raise ValueError(f"{path}: {layer.name} has no BatchNormalization after it")
        bias = np.zeros(weight.shape[0], np.float32) if layer.bias is None else layer.bias.astype(np.float32)
        if i == 0:
            if fmt.channel_order == "BGR":
                weight = weight[:, ::-1]
            # Exact inside the image; at the zero-padded border only when shift is 0 (it is for
            # every shared teacher: their normalisation centres at 127.5).
            bias = bias + shift * weight.sum(axis=(1, 2, 3))
            weight = weight * scale
        module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
        for key, value in layer.bn.items():
            getattr(bn, key).copy_(torch.from_numpy(value.astype(np.float32)))
        # The student's BN layers track running statistics, so these buffers exist.
        assert bn.running_mean is not None and bn.running_var is not None
        bn.running_mean -= torch.from_numpy(bias)
        bn.running_var += layer.bn_eps - bn.eps
    for m in model.modules():
        if isinstance(m, SqueezeExcite):
            m.reset()
    return f"initialised {len(ours)} layers from {Path(path).name} (input scale {scale:.6f}, shift {shift:g})"
