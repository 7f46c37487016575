"""Documents qserve produces (PDF tickets)."""
