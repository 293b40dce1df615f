"""FaceGate desktop app: Qt views, one frame worker, and the `facegate` command line."""
