"""Helpers shared by every kind of test; `tests` is on pytest's pythonpath."""
