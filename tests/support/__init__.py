"""Local stand-ins for outside services (SMS provider, push service, SMTP server) used by the tests."""
