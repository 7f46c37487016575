"""Staff web tests share the module's live server (see tests/web/conftest.py)."""
