"""Build the bundled MTCNN face detector (P-, R- and O-Net) as ONNX files.

The weights come from the facenet-pytorch wheel on PyPI (MIT licence), which carries them as
PyTorch state dicts; the package itself is never installed or imported, only unzipped.

    python scripts/build_detector.py [--wheel facenet_pytorch-2.6.0-py3-none-any.whl] [--out DIR]

Every graph takes uint8 BGR images in NHWC layout, exactly what OpenCV hands out, so the
detector feeds crops without any numpy preprocessing: the cast, the channel order and MTCNN's
(x - 127.5) / 128 normalisation are inside the graph (the last two folded into conv1). PReLU
is rewritten and conv1 widened for ONNX Runtime's sake (see FastPReLU and pad_first_layer);
each export is checked against the unmodified net before its hash is printed, and rebuilding
from the same wheel gives byte-identical files.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

PACKAGE = "facenet-pytorch==2.6.0"
OPSET = 17
PIXEL_MEAN = 127.5
PIXEL_SCALE = 0.0078125
CHANNEL_BLOCK = 16
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assets" / "models"


class PNet(nn.Module):
    """Fully convolutional 12x12 proposal net; layer names match facenet-pytorch's state dict."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, kernel_size=3)
        self.prelu1 = nn.PReLU(10)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(10, 16, kernel_size=3)
        self.prelu2 = nn.PReLU(16)
        self.conv3 = nn.Conv2d(16, 32, kernel_size=3)
        self.prelu3 = nn.PReLU(32)
        self.conv4_1 = nn.Conv2d(32, 2, kernel_size=1)
        self.conv4_2 = nn.Conv2d(32, 4, kernel_size=1)

    def forward(self, x):
        x = self.prelu1(self.conv1(x))
        x = self.pool1(x)
        x = self.prelu2(self.conv2(x))
        x = self.prelu3(self.conv3(x))
        prob = torch.softmax(self.conv4_1(x), dim=1)[:, 1]
        return {"prob": prob, "reg": self.conv4_2(x).permute(0, 2, 3, 1)}


class RNet(nn.Module):
    """24x24 refinement net; layer names match facenet-pytorch's state dict."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 28, kernel_size=3)
        self.prelu1 = nn.PReLU(28)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(28, 48, kernel_size=3)
        self.prelu2 = nn.PReLU(48)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(48, 64, kernel_size=2)
        self.prelu3 = nn.PReLU(64)
        self.dense4 = nn.Linear(576, 128)
        self.prelu4 = nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x):
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu3(self.conv3(x))
        # The dense weights were converted from Caffe, which flattened in W, H, C order.
        x = self.prelu4(self.dense4(x.permute(0, 3, 2, 1).flatten(1)))
        prob = torch.softmax(self.dense5_1(x), dim=1)[:, 1]
        return {"prob": prob, "reg": self.dense5_2(x)}


class ONet(nn.Module):
    """48x48 output net with 5 landmarks; layer names match facenet-pytorch's state dict."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3)
        self.prelu1 = nn.PReLU(32)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
        self.prelu2 = nn.PReLU(64)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(64, 64, kernel_size=3)
        self.prelu3 = nn.PReLU(64)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4 = nn.Conv2d(64, 128, kernel_size=2)
        self.prelu4 = nn.PReLU(128)
        self.dense5 = nn.Linear(1152, 256)
        self.prelu5 = nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu4(self.conv4(x))
        x = self.prelu5(self.dense5(x.permute(0, 3, 2, 1).flatten(1)))
        prob = torch.softmax(self.dense6_1(x), dim=1)[:, 1]
        # The net emits x1..x5 then y1..y5; pair them up as (5, 2) points.
        landmarks = self.dense6_3(x).unflatten(1, (2, 5)).transpose(1, 2)
        return {"prob": prob, "reg": self.dense6_2(x), "landmarks": landmarks}


class FastPReLU(nn.Module):
    """PReLU written as (1 - a) * relu(x) + a * x, which ONNX Runtime runs about twice as fast
    as its own PRelu kernel: it turns the per-channel products into depthwise convolutions in
    its blocked layout instead of broadcasting element by element."""

    def __init__(self, prelu: nn.PReLU):
        super().__init__()
        self.register_buffer("slope", prelu.weight.detach().clone())

    def forward(self, x):
        slope = self.slope.view(-1, *[1] * (x.dim() - 2))
        return torch.relu(x) * (1 - slope) + x * slope


class ForExport(nn.Module):
    """A copy of a net that takes uint8 BGR NHWC images instead of normalised RGB NCHW floats
    and runs fast in ONNX Runtime."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = copy.deepcopy(net)
        fold_input_normalisation(self.net.conv1)
        pad_first_layer(self.net)
        for name, module in self.net.named_children():
            if isinstance(module, nn.PReLU):
                setattr(self.net, name, FastPReLU(module))

    def forward(self, image):
        return tuple(self.net(image.permute(0, 3, 1, 2).float()).values())


def fold_input_normalisation(conv: nn.Conv2d) -> None:
    """Makes conv take raw BGR pixel values where it took normalised RGB ones."""
    assert conv.padding == (0, 0), "a padded conv would see the padding differently"
    with torch.no_grad():
        weight = conv.weight.flip(1) * PIXEL_SCALE
        conv.bias -= PIXEL_MEAN * weight.sum(dim=(1, 2, 3))
        conv.weight.copy_(weight)


def pad_first_layer(net: nn.Module) -> None:
    """Gives conv1 a multiple of CHANNEL_BLOCK outputs by adding all-zero channels.

    ONNX Runtime runs convolutions in a layout of channel blocks (8 or 16 wide); with 28 or
    10 channels after conv1 it falls back to plain layout for the pooling and reorders the
    data twice, which costs R-Net a sixth of its time. The extra channels are zero and conv2
    ignores them, so the outputs do not change.
    """
    channels = net.conv1.out_channels
    padded = channels + -channels % CHANNEL_BLOCK
    if padded == channels:
        return
    conv1, prelu1, conv2 = net.conv1, net.prelu1, net.conv2
    net.conv1 = nn.Conv2d(conv1.in_channels, padded, conv1.kernel_size)
    net.prelu1 = nn.PReLU(padded)
    net.conv2 = nn.Conv2d(padded, conv2.out_channels, conv2.kernel_size)
    with torch.no_grad():
        for layer in (net.conv1, net.prelu1, net.conv2):
            for parameter in layer.parameters():
                parameter.zero_()
        net.conv1.weight[:channels] = conv1.weight
        net.conv1.bias[:channels] = conv1.bias
        net.prelu1.weight[:channels] = prelu1.weight
        net.conv2.weight[:, :channels] = conv2.weight
        net.conv2.bias.copy_(conv2.bias)


def fetch_wheel(directory: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(directory),
            PACKAGE,
        ],
        check=True,
    )
    return next(directory.glob("facenet_pytorch-*.whl"))


def load_net(wheel: zipfile.ZipFile, name: str) -> nn.Module:
    net = {"pnet": PNet, "rnet": RNet, "onet": ONet}[name]()
    data = wheel.read(f"facenet_pytorch/data/{name}.pt")
    net.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))
    return net.eval()


def reference_outputs(net: nn.Module, image: np.ndarray) -> dict[str, np.ndarray]:
    """The net as facenet-pytorch runs it, on normalised RGB NCHW floats."""
    rgb = torch.from_numpy(image[..., ::-1].copy()).permute(0, 3, 1, 2).float()
    with torch.no_grad():
        return {name: t.numpy() for name, t in net((rgb - PIXEL_MEAN) * PIXEL_SCALE).items()}


def random_images(batch: int, height: int, width: int) -> np.ndarray:
    return np.random.default_rng(batch).integers(0, 256, (batch, height, width, 3), dtype=np.uint8)


def crop_side(net: nn.Module) -> int:
    """The input side R-Net and O-Net take; P-Net takes any size and is given O-Net's."""
    return 24 if isinstance(net, RNet) else 48


def export(net: nn.Module, path: Path) -> None:
    trace_input = random_images(3, crop_side(net), crop_side(net))
    output_names = list(reference_outputs(net, trace_input))
    dynamic = {name: {0: "batch"} for name in ["image", *output_names]}
    if isinstance(net, PNet):
        dynamic["image"] |= {1: "height", 2: "width"}
        dynamic["prob"] |= {1: "rows", 2: "cols"}
        dynamic["reg"] |= {1: "rows", 2: "cols"}
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated but needs no onnxscript and yields the
        # plain, small graphs wanted here.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            ForExport(net).eval(),
            (torch.from_numpy(trace_input),),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["image"],
            output_names=output_names,
            dynamic_axes=dynamic,
        )
    model = onnx.load(str(path))
    onnx.helper.set_model_props(
        model,
        {
            "source": f"weights from {PACKAGE} (MIT licence); MTCNN by Zhang et al. 2016",
            "input": "uint8 BGR images, NHWC",
        },
    )
    onnx.save(model, str(path))


def check_export(net: nn.Module, path: Path) -> None:
    """The ONNX graph must match the original net, also at shapes other than the traced one."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    side = crop_side(net)
    shapes = [(1, side, side), (5, side, side)]
    if isinstance(net, PNet):
        shapes += [(1, 12, 12), (2, 37, 53)]
    for shape in shapes:
        image = random_images(*shape)
        got = session.run(None, {"image": image})
        for value, (name, want) in zip(got, reference_outputs(net, image).items()):
            np.testing.assert_allclose(value, want, rtol=1e-3, atol=1e-4, err_msg=f"{path} {name}")


def build(wheel_path: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel_path) as wheel:
        for name in ("pnet", "rnet", "onet"):
            net = load_net(wheel, name)
            path = out_dir / f"mtcnn_{name}.onnx"
            export(net, path)
            check_export(net, path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{path}  {path.stat().st_size} bytes  sha256 {digest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {PACKAGE} wheel")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args()
    if args.wheel:
        build(args.wheel, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(fetch_wheel(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
