"""The one place an onnxruntime session is made, so every model runs with the same CPU manners."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort

from core.errors import ModelError


def inference_session(path: str | Path, threads: int, failure: str) -> ort.InferenceSession:
    """A CPU session on the model at path, using `threads` threads for each operator.

    A missing, unreadable or non-ONNX file raises ModelError: `failure` (which names the model for
    the person) followed by onnxruntime's reason.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # Operators run one after another: the models are small chains, and the app already runs
    # detection, embedding and liveness on threads of its own.
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning pool threads starve the camera and UI threads, and with two threads on a busy
    # two-core machine they made detection several times slower.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several unrelated, untyped errors for bad files
        raise ModelError(f"{failure}: {exc}") from exc
