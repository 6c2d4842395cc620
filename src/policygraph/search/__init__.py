"""Ranked full-text search over the graph: documents read from the store with SPARQL (documents.py), an
SQLite FTS5 index of them per store version, and the query language a person types (index.py)."""

from policygraph.search.documents import KINDS, Document, read_documents, read_labels
from policygraph.search.index import Hit, SearchIndex, SearchResult, parse_query

__all__ = ["KINDS", "Document", "Hit", "SearchIndex", "SearchResult", "parse_query", "read_documents", "read_labels"]
