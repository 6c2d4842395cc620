"""Bounds on what one request may carry, so that the work of every request is bounded whatever it sends.

Work that grows with an input's length (comparing a key with every resource, echoing a value in a
message, parsing a header, binding a string the engine compares with every label) is bounded here, once,
by refusing an input over its bound before any work is done, with a 4xx that names the input and the
bound. Each bound is far above every legitimate use, so that none is ever refused: the longest key in the
real data is 188 characters (a statement's), its longest IRI about 230, the longest `format=` value a
client sends is a media type (`application/sparql-results+json`, 31), and a browser's Accept header is
under 200 characters.

The query and update text have their own bounds (the `max_query_length`, `max_nesting` and `max_chain`
settings, checked by sparql/guards.py with positions); a request body has `max_request_bytes`.
"""

from __future__ import annotations

from policygraph.errors import InputError, NotFound

# -- the query and update text: the default of the `max_chain` setting (why this value: sparql/guards.py)
DEFAULT_MAX_CHAIN = 500  # operators and groups chained at one level of brackets

# -- request parameters (query string and form)
MAX_PARAMETERS = 100  # name=value pairs in one query string, and in one form
MAX_PARAMETER_NAME = 64  # characters of a parameter's name
MAX_VALUE = 2_000  # characters of a parameter's value, when the parameter has no bound of its own (IRIs)
MAX_SEARCH = 100  # characters of search text: `q` of /search, /api/search, /api/names and /id/<kind>/
MAX_STRING = 200  # characters of a string-typed parameter of a catalogue query
MAX_NUMBER = 12  # characters of a whole number (limit, depth, top, maxHops...)
MAX_PAGE = 500  # the last page of search results one may ask for (20 a page: more than every document)
MAX_DATASET_GRAPHS = 50  # default-graph-uri and named-graph-uri values of one SPARQL request, together
# Parameters with a bound below MAX_VALUE. `query` and `update` are the text, bounded by the settings.
PARAMETER_LIMITS: dict[str, int] = {
    "q": MAX_SEARCH,
    "format": 64,
    "via": 64,
    "initiatives": 16,
    "network": 32,
    "limit": MAX_NUMBER,
    "depth": MAX_NUMBER,
    "top": MAX_NUMBER,
    "maxHops": MAX_NUMBER,
    "page": MAX_NUMBER,
}
TEXT_PARAMETERS = frozenset({"query", "update"})

# -- headers
MAX_ACCEPT = 2_000  # characters of an Accept header

# -- the path
MAX_KEY = 512  # characters of a resource key in /id/<kind>/<key> (the did-you-mean page still answers above it)
MAX_SEGMENT = 64  # characters of any other named part of a path: a kind, a query's or a dump's name, a suffix
MAX_FILE_PATH = 512  # characters of a file's path under /assets/ and /static/
PATH_LIMITS: dict[str, int] = {"slug": MAX_KEY, "filename": MAX_FILE_PATH}

# -- did-you-mean suggestions for an unknown key (linked/suggest.py)
SUGGEST_KEY = 64  # characters of the unknown key compared with the resources' keys and names
SUGGEST_CANDIDATES = 60  # resources compared in full (those sharing the most trigrams with the key)
SUGGEST_POSTINGS = 20_000  # index entries one look-up may read, rarest trigrams first


def too_long(what: str, length: int, limit: int) -> str:
    """The one message for an input over its bound: what it is, its length and the bound."""
    return f"{what} is {length:,} characters long; the limit is {limit:,} characters"


def check_length(what: str, value: str, limit: int) -> None:
    """Refuse (400) a value over its bound, naming it: `what` says which input ("the parameter 'q'")."""
    if len(value) > limit:
        raise InputError(too_long(what, len(value), limit))


def check_path_part(name: str, value: str) -> None:
    """Refuse (404: nothing here has such a name) a named part of the path over its bound."""
    limit = PATH_LIMITS.get(name, MAX_SEGMENT)
    if len(value) > limit:
        raise NotFound(too_long(f"the path part <{name}>", len(value), limit) + ", so nothing here has this name")


def parameter_limit(name: str, text_limit: int) -> int:
    """The bound of a parameter's value; `text_limit` is the query and update text's (max_query_length)."""
    if name in TEXT_PARAMETERS:
        return text_limit
    return PARAMETER_LIMITS.get(name, MAX_VALUE)


def shorten(value: str, keep: int = 120) -> str:
    """A long input as a message or page may show it: its start, and how long it is."""
    return value if len(value) <= keep else f"{value[:keep]}… ({len(value):,} characters)"
