"""Smart lists and Insights tags: the validation of their configuration (seeds lists / list_criteria) and
the preview of a candidate configuration (`pulse lists preview`)."""
