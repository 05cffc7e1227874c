"""Manage a project's secrets: check, generate, push, rotate, validate."""
