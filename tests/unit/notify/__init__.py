"""Unit tests of notifications: texts, keywords, thresholds, retry policy."""
