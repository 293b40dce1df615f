"""The enrolled people of these tests also get the verifier's templates, so the kiosk's default
cascade can name them (tests/verifier_templates.py; dropped once enrolment makes them)."""

from tests.verifier_templates import enrolled, sample_enrolled  # noqa: F401
