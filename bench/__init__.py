"""Benchmarks that print measured figures (`make bench`)."""
