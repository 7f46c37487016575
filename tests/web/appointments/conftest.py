"""Appointment web tests use the app fixture: migrations make the tables, the factory adds the routes."""
