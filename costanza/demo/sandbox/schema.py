"""A small JSON Schema checker for the OpenAPI subset used by the X spec.

It understands ``type``, ``properties``, ``required``, ``additionalProperties:
false``, ``enum``, ``pattern``, ``minLength``/``maxLength``,
``minItems``/``maxItems``, ``minimum``/``maximum``, ``items``, ``$ref`` and
``anyOf``/``oneOf``: what the request bodies the sandbox serves declare.
"""

from __future__ import annotations

import re
from typing import Any

from costanza.demo.sandbox.x_spec import SCHEMAS

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


class SchemaError(ValueError):
    """A value does not match its schema; ``parameter`` names where."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def validate(value: Any, schema_name: str) -> None:
    """Raise ``SchemaError`` unless ``value`` matches the named schema."""
    _check(value, SCHEMAS[schema_name], "")


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _check(value: Any, schema: dict, where: str) -> None:
    schema = _resolve(schema)
    name = where or "body"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            errors = []
            for option in schema[key]:
                try:
                    _check(value, option, where)
                    break
                except SchemaError as exc:
                    errors.append(exc)
            else:
                raise errors[0]
    kind = schema.get("type")
    if kind:
        ok = isinstance(value, _TYPES[kind])
        if kind in ("integer", "number") and isinstance(value, bool):
            ok = False
        if not ok:
            raise SchemaError(name, f"`{name}` must be of type {kind}.")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(name, f"`{name}` must be one of {schema['enum']}.")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaError(name, f"`{name}` must match {schema['pattern']}.")
        if len(value) < schema.get("minLength", 0):
            raise SchemaError(name, f"`{name}` is too short.")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise SchemaError(name, f"`{name}` is longer than {schema['maxLength']}.")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError(name, f"`{name}` must be at least {schema['minimum']}.")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError(name, f"`{name}` must be at most {schema['maximum']}.")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise SchemaError(name, f"`{name}` needs at least {schema['minItems']} items.")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaError(name, f"`{name}` allows at most {schema['maxItems']} items.")
        if "items" in schema:
            for index, item in enumerate(value):
                _check(item, schema["items"], f"{name}[{index}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                path = f"{where}.{key}" if where else key
                raise SchemaError(path, f"`{path}` is required.")
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            if key in props:
                _check(item, props[key], path)
            elif schema.get("additionalProperties") is False:
                raise SchemaError(path, f"`{path}` is not a known field.")
