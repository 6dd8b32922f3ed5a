"""Smart lists and Insights tags: the validation of their configuration (seeds lists / list_criteria)."""
