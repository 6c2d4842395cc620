"""Counts over the whole dataset (the default graph, which is the merge of the named graphs: distinct
triples), per class, per property, and per named graph.

The dataset description (VoID) and the ontology page both show these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

CLASS_ENTITIES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"""

PROPERTY_TRIPLES = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"""

TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"""

GRAPH_TRIPLES = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""


@dataclass(frozen=True)
class DatasetCounts:
    triples: int  # distinct triples over all named graphs
    quads: int
    subjects: int
    properties: int
    objects: int
    classes: dict[str, int]  # class IRI -> distinct instances
    property_triples: dict[str, int]  # property IRI -> distinct triples
    graphs: dict[str, int]  # named graph IRI -> triples


def _pairs(store: ox.Store, query: str) -> dict[str, int]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    key, value = (v.value for v in result.variables)
    return {sol[key].value: int(sol[value].value) for sol in result}  # type: ignore[union-attr]


def dataset_counts(store: ox.Store) -> DatasetCounts:
    totals = store.query(TOTALS)
    assert isinstance(totals, ox.QuerySolutions)
    row = next(iter(totals))
    number = lambda name: int(row[name].value)  # type: ignore[union-attr]  # noqa: E731
    return DatasetCounts(
        triples=number("triples"),
        quads=len(store),
        subjects=number("subjects"),
        properties=number("properties"),
        objects=number("objects"),
        classes=_pairs(store, CLASS_ENTITIES),
        property_triples=_pairs(store, PROPERTY_TRIPLES),
        graphs=_pairs(store, GRAPH_TRIPLES),
    )
