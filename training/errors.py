"""The one error training's library code raises for a problem the person running it can fix."""

from core.errors import FaceGateError


class TrainingError(FaceGateError):
    """Bad arguments, data or files for a training command; its message is the whole report."""
