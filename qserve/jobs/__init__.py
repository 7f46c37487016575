"""Timed jobs, run by exactly one `qserve scheduler` process; each job opens an app context and calls a service."""
