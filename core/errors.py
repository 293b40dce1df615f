"""One exception family for problems a person can fix; the app shows them, the CLI prints them."""


class FaceGateError(Exception):
    """Base of every error FaceGate reports to a user."""


class ImageError(FaceGateError):
    """An image could not be read or decoded."""


class ModelError(FaceGateError):
    """A model file is missing, unreadable, or not of the expected kind."""


class CameraError(FaceGateError):
    """A camera or frame source cannot be opened or stopped delivering frames."""


class StoreError(FaceGateError):
    """The database could not be opened or written (locked, read-only, wrong schema)."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or is busy right now; the same write may succeed later."""
