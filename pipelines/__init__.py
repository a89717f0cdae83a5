"""Item pipelines: validate, normalise, deduplicate and store articles, one concern per module."""
