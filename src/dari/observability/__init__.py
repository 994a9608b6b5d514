"""Logging with request ids, and Prometheus metrics."""
