"""Tests of boligmonitor.store (a package, so that its conftest module has a unique name for mypy)."""
