"""Integration tests of notifications against a real database and local stand-ins of the providers."""
