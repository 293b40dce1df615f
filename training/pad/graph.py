"""An ONNX classifier graph as a trainable torch module, for fine-tuning the liveness student.

The reference liveness networks are published only as ONNX (BN already folded into the convs), so
the student takes the smallest one's layers and weights straight from its graph: every initializer
becomes a parameter and the nodes run in graph order with the matching torch ops. Only the ops
those small classifiers use are supported; anything else fails loudly with its name. Exporting the
module again with torch.onnx gives an ordinary graph of the same shape.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

SUPPORTED = {
    "Conv",
    "PRelu",
    "Add",
    "Mul",
    "MatMul",
    "Flatten",
    "BatchNormalization",
    "GlobalAveragePool",
    "Relu",
    "Sigmoid",
}


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxGraphModule(nn.Module):
    """Runs the graph of `path` with its initializers as parameters (names sanitised for torch)."""

    def __init__(self, path: str | Path):
        super().__init__()
        proto = onnx.load(str(path))
        graph = proto.graph
        unsupported = {n.op_type for n in graph.node} - SUPPORTED
        if unsupported:
            raise ValueError(f"{path}: unsupported ops {sorted(unsupported)}")
        self.params = nn.ParameterDict()
        self._names: dict[str, str] = {}
        for i, init in enumerate(graph.initializer):
            key = f"p{i}"
            self._names[init.name] = key
            self.params[key] = nn.Parameter(torch.from_numpy(numpy_helper.to_array(init).copy()))
        self.nodes = [(n.op_type, list(n.input), list(n.output), _attrs(n)) for n in graph.node]
        self.input_name = graph.input[0].name
        self.output_name = graph.output[0].name
        dims = graph.input[0].type.tensor_type.shape.dim
        self.input_size = (int(dims[3].dim_value), int(dims[2].dim_value))

    def _value(self, name: str, env: dict[str, torch.Tensor]) -> torch.Tensor:
        return env[name] if name in env else self.params[self._names[name]]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env = {self.input_name: x}
        for op, inputs, outputs, attrs in self.nodes:
            args = [self._value(i, env) if i else None for i in inputs]
            env[outputs[0]] = self._run(op, args, attrs)
        return env[self.output_name]

    @staticmethod
    def _run(op: str, args: list, attrs: dict) -> torch.Tensor:
        if op == "Conv":
            pads = attrs.get("pads", [0, 0, 0, 0])
            if pads[:2] != pads[2:]:
                raise ValueError(f"asymmetric Conv padding {pads}")
            return F.conv2d(
                args[0],
                args[1],
                args[2] if len(args) > 2 else None,
                stride=attrs.get("strides", 1),
                padding=tuple(pads[:2]),
                dilation=attrs.get("dilations", 1),
                groups=attrs.get("group", 1),
            )
        if op == "PRelu":
            # The same function as (1 - a)·relu(x) + a·x: onnxruntime's CPU kernels run that
            # (Relu, Mul, Add, fused into the convs around it) in half the time of PRelu nodes on
            # this network (1.96 vs 3.87 ms a face), as for the bundled MTCNN.
            slope = args[1]
            return (1 - slope) * F.relu(args[0]) + slope * args[0]
        if op == "Add":
            return args[0] + args[1]
        if op == "Mul":
            return args[0] * args[1]
        if op == "MatMul":
            return args[0] @ args[1]
        if op == "Flatten":
            return torch.flatten(args[0], attrs.get("axis", 1))
        if op == "BatchNormalization":
            # Always the stored statistics: fine-tuning batches are too small and too uniform to
            # re-estimate them, and the exported graph keeps the same inference op.
            x, gamma, beta, mean, var = args
            return F.batch_norm(
                x, mean.detach(), var.detach(), gamma, beta, training=False, eps=attrs.get("epsilon", 1e-5)
            )
        if op == "GlobalAveragePool":
            return args[0].mean(dim=(2, 3), keepdim=True)
        if op == "Relu":
            return F.relu(args[0])
        if op == "Sigmoid":
            return torch.sigmoid(args[0])
        raise ValueError(f"unsupported op {op}")
