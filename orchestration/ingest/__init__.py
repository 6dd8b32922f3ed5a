"""Ingestion: landing files (any fsspec URL) -> the raw schema, driven by declarative mapping files."""

from orchestration.ingest.loader import IngestError, IngestSummary, ingest, list_landing_files
from orchestration.ingest.mapping import MappingError, load_mapping, load_mappings

__all__ = [
    "IngestError",
    "IngestSummary",
    "MappingError",
    "ingest",
    "list_landing_files",
    "load_mapping",
    "load_mappings",
]
