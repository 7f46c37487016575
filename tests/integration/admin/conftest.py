"""Administration integration tests run on both backends (see tests/integration/conftest.py)."""
