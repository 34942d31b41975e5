"""Models arrive with this app's phase; see docs/architecture.md."""
