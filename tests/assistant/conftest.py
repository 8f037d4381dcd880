"""Fixtures for the assistant tests live in tests/conftest.py (the security tests share them)."""
