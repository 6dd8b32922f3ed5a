"""Lifecycle status (seed 004): validation of its configuration (seeds lifecycle_statuses / _criteria)."""
