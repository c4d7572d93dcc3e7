"""Fixtures of the fault tests: private servers (tests/faults/processes.py)."""

from tests.faults.processes import postgres_cluster, redis_server

__all__ = ["postgres_cluster", "redis_server"]
