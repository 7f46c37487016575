"""Timed jobs, run by exactly one `qserve scheduler` process; each job calls one service."""
