"""Every request's inputs checked against their bounds (policygraph/limits.py) before any view runs.

One hook for every route, so that no view can forget a bound: the Accept header, the number of
parameters, each parameter's name and value (query string, and form bodies), and each named part of the
path. An input over its bound gets a 4xx naming it and the bound (400 for a header or a parameter, 404 for
a path part: nothing here has such a name). The resource key of /id/<kind>/<key> is left to its view,
which still shows a did-you-mean page for a long unknown key.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.datastructures import MultiDict

from policygraph.errors import InputError
from policygraph.limits import (
    MAX_ACCEPT,
    MAX_PARAMETER_NAME,
    MAX_PARAMETERS,
    check_length,
    check_path_part,
    parameter_limit,
    too_long,
)
from policygraph.web.context import get_settings

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
VIEW_CHECKS_ITSELF = frozenset({"slug"})  # resources.py: a long key still gets its did-you-mean page


def check_parameters(params: MultiDict[str, str], where: str, text_limit: int) -> None:
    count = sum(1 for _ in params.items(multi=True))
    if count > MAX_PARAMETERS:
        raise InputError(f"{where} has {count:,} parameters; the limit is {MAX_PARAMETERS:,}")
    for name, value in params.items(multi=True):
        if len(name) > MAX_PARAMETER_NAME:
            # Its start says which one it is; the rest is left out of the message.
            raise InputError(too_long(f"a parameter name in {where} ({name[:32]!r}…)", len(name), MAX_PARAMETER_NAME))
        check_length(f"the parameter {name!r} in {where}", value, parameter_limit(name, text_limit))


def refuse_overlong_input() -> None:
    check_length("the Accept header", request.headers.get("Accept", ""), MAX_ACCEPT)
    for name, value in (request.view_args or {}).items():
        if name not in VIEW_CHECKS_ITSELF and isinstance(value, str):
            check_path_part(name, value)
    text_limit = get_settings().max_query_length
    check_parameters(request.args, "the query string", text_limit)
    if request.mimetype in FORMS:
        check_parameters(request.form, "the form", text_limit)


def register_input_bounds(app: Flask) -> None:
    # After the UTF-8 check (web/errors.py), which reads the raw query string and form.
    app.before_request(refuse_overlong_input)
