"""Measuring a trained model apart from training it: verification, open-set, impostor tails, speed."""
