"""Helpers for mediadesk's own test suite."""
