"""The metric catalog: every point-in-time account metric declared once."""
