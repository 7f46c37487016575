"""Use cases: each opens one transaction, records events, and returns plain data."""
