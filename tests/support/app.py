"""The app in the test process, through Flask's test client, with the `get`/`post` of a live server and
answers that read like `requests` responses: view tests need no server process. (The live server stays
for what is about the process or the protocol on the wire: the endpoint, writes, faults, browsers.)"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.test import TestResponse

from policygraph.settings import Settings
from policygraph.web.app import create_app
from policygraph.web.context import SERVICE


class Answer:
    """A test-client response with the parts of `requests.Response` the tests read."""

    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode(self.headers.get("Content-Type", "").partition("charset=")[2] or "utf-8")

    def json(self) -> Any:
        return json.loads(self.content)


class InProcess:
    """One app, its views called in-process. `url` is what the app believes it is served at."""

    url = "http://localhost"

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.client = app.test_client()

    def get(self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
            allow_redirects: bool = True, **_: Any) -> Answer:
        return _answer(self.client.get(path, query_string=params, headers=dict(headers or {}), follow_redirects=allow_redirects))

    def post(self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
             data: Any = None, json: Any = None, **_: Any) -> Answer:  # noqa: A002 (requests' name)
        return _answer(self.client.post(path, query_string=params, headers=dict(headers or {}), data=data, json=json))


def _answer(response: TestResponse) -> Answer:
    try:
        return Answer(response.status_code, response.headers, response.get_data())
    finally:
        response.close()  # a file sent whole (a dump) is closed here, as a server closes it


@contextmanager
def in_process(settings: Settings) -> Iterator[InProcess]:
    """The app over `settings`' store; its query workers (started on first use) stop at the end."""
    app = create_app(settings)
    try:
        yield InProcess(app, settings)
    finally:
        service = app.extensions.get(SERVICE)
        if service is not None:
            service.close()
