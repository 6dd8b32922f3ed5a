"""Health engine helpers: configuration validation, preview of a candidate configuration, backtest."""
