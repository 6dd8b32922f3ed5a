"""Rule rows `(metric, operator, threshold)` over catalog metrics: their validation."""
