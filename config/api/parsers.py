"""Request parsers of the API: DRF's, refusing what would crash or poison the layers behind them.

- JSON nested deeper than MAX_JSON_DEPTH: 400 ``too_deeply_nested``, checked on the raw bytes before anything
  parses them (``json.loads`` recurses once per level: 50,000 ``[`` is a RecursionError);
- a JSON or form body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 ``request_too_large`` (Django enforces it on
  ``request.body`` and multipart fields, but DRF's parsers read the stream itself);
- a NUL character in any key or text value (JSON, form or multipart): 400 ``null_characters_not_allowed``
  (PostgreSQL text cannot hold one, and no field of this API means one); a lone UTF-16 surrogate (``"\ud800"``,
  which JSON allows and UTF-8 cannot encode): 400 ``surrogate_characters_not_allowed``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this API accepts."
    default_code = "request_too_large"


def read_body(stream: Any) -> bytes:
    """The whole body, refused (413) past DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(body) > limit:
        raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
    return body
_JSON_TOKENS = re.compile(rb'[\\][\x00-\xff]|["\[\]{}]')  # an escape pair, a quote or a bracket


def ensure_json_depth(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse a JSON text whose arrays and objects nest deeper than ``max_depth`` (brackets inside strings do not
    count). One pass over the quotes, escapes and brackets only: linear, whatever the body."""
    if not body or (b"[" not in body and b"{" not in body):
        return
    depth, in_string = 0, False
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()
        if char == b'"':
            in_string = not in_string
        elif in_string or len(char) == 2:
            continue
        elif char in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise ParseError(f"JSON nested deeper than {max_depth} levels is refused.", code="too_deeply_nested")
        else:
            depth -= 1


_SURROGATE = re.compile("[\ud800-\udfff]")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def refuse_null_characters(value: Any) -> Any:
    """``value`` unchanged, or a 400 if any of its keys or strings holds a NUL or a lone surrogate."""
    for text in _strings(value):
        if "\x00" in text:
            raise ParseError("Text may not contain NUL characters.", code="null_characters_not_allowed")
        if _SURROGATE.search(text):
            raise ParseError("Text may not contain lone surrogate characters.",
                             code="surrogate_characters_not_allowed")
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_body(stream)
        ensure_json_depth(body)
        return refuse_null_characters(super().parse(io.BytesIO(body), media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(io.BytesIO(read_body(stream)), media_type, parser_context)
        refuse_null_characters(dict(data.lists()))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_null_characters(dict(parsed.data.lists()))
        refuse_null_characters([upload.name for upload in parsed.files.values()])
        return parsed
