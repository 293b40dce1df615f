"""The admin area behind the PIN: enrol, people, attendance, settings."""
