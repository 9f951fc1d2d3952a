"""The JSON Schemas of the rule files, and their errors turned into plain words."""

from __future__ import annotations

import json
from functools import cache as cache_fn
from typing import TYPE_CHECKING, Any

from . import cache
from .errors import Location, RuleFileError
from .source import Document
from .suggest import did_you_mean

if TYPE_CHECKING:
    import jsonschema

FILE_KINDS = ("facts", "advice", "messages")


@cache_fn
def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema for one kind of rule file, as shipped with the package."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


@cache_fn
def schema_text(kind: str) -> str:
    """The JSON Schema for one kind of rule file, as the text shipped with the package."""
    from importlib import resources  # noqa: PLC0415 - only to build a rule base, not to read one kept

    return resources.files("engine").joinpath("schema").joinpath(f"{kind}.schema.json").read_text()


CONDITION_KEYS = frozenset({"when", "needed_when"})
# The cache's folder of documents found to match their schema: jsonschema (a twentieth of a
# second to import) loads only for a rule file, or a schema, not checked before.
VALIDATED = "validated"


def problems(document: Document, kind: str) -> list[RuleFileError]:
    """Every schema violation in `document`, top to bottom, in plain words.

    Conditions are left to the condition parser, which knows the facts and so can name the
    nearest one; the schema describes them too, for editors. A document that matched before
    (the same text, kind and schema: one sha256) is not checked again.
    """
    key = cache.digest("schema check", kind, schema_text(kind), document.text)
    if cache.seen(VALIDATED, key):
        return []
    import jsonschema  # noqa: PLC0415 - only for a document not checked before (45 ms)

    validator = jsonschema.Draft202012Validator(schema(kind))
    errors = [
        error
        for error in validator.iter_errors(document.value)
        if not CONDITION_KEYS & {str(part) for part in error.absolute_path}
    ]
    errors.sort(key=lambda error: document.where(tuple(error.absolute_path)).line)
    if not errors:
        cache.note(VALIDATED, key)
    return [_explain(error, document) for error in errors]


def validate(document: Document, kind: str) -> None:
    """Raise a RuleFileError, with location, for the first schema violation in `document`."""
    found = problems(document, kind)
    if found:
        raise found[0]


def _explain(error: jsonschema.ValidationError, document: Document) -> RuleFileError:
    inner = _inner(error)
    if inner is not None:
        return _explain(inner, document)
    path = tuple(error.absolute_path)
    where = document.where(path)
    instance = error.instance
    validator = error.validator
    schema_part = error.schema if isinstance(error.schema, dict) else {}
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = [str(name) for name in schema_part.get("properties", {})]
        extra = [key for key in instance if key not in allowed]
        key = extra[0] if extra else "?"
        if sorted(allowed) == ["date", "plus_days"]:
            return RuleFileError(
                f"a date needs `date:` and `plus_days:` (found `{key}`)",
                location=document.where((*path, key), key=True),
                suggestion="count in days: two weeks is `plus_days: 14`",
            )
        return RuleFileError(
            f"unknown key `{key}`"
            + (f" (expected one of: {', '.join(allowed)})" if allowed else ""),
            location=document.where((*path, key), key=True),
            suggestion=did_you_mean(key, allowed),
        )
    if validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        return RuleFileError(f"`{missing}` is missing here", location=where)
    if validator == "enum":
        options = [str(option) for option in schema_part.get("enum", [])]
        return RuleFileError(
            f"`{instance}` is not allowed here (one of: {', '.join(options)})",
            location=where,
            suggestion=did_you_mean(str(instance), options),
        )
    if validator == "type" and path and path[-1] == "plus_days":
        return RuleFileError(
            f"`plus_days` takes a whole number of days, not {_describe(instance)}",
            location=where,
            suggestion="write the number in figures, such as `plus_days: 7`",
        )
    if validator == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else str(wanted)
        return RuleFileError(
            f"expected {_plural(wanted_text)} here, not {_describe(instance)}", location=where
        )
    if validator in ("minItems", "minProperties", "minLength"):
        return RuleFileError("this must not be empty", location=where)
    if validator == "pattern" or (validator == "propertyNames"):
        return RuleFileError(
            f"`{instance}` is not a valid name: use lowercase words joined by _ (like first_day)",
            location=where,
        )
    if validator in ("minimum", "maximum"):
        return _out_of_range(validator, error.validator_value, instance, path, where)
    if validator == "maxItems" and path and path[-1] == "weekend":
        return RuleFileError(
            "the weekend cannot hold every day of the week",
            location=where,
            suggestion="leave at least one working day, such as monday",
        )
    return RuleFileError(str(error.message), location=where)


def _inner(error: jsonschema.ValidationError) -> jsonschema.ValidationError | None:
    """For a value that fits none of several shapes, the fault within the shape it has.

    A mapping where either a value or `{date: ..., plus_days: ...}` may stand was meant as the
    mapping: say what is wrong inside it, not that it fits neither.
    """
    if error.validator != "anyOf" or not isinstance(error.instance, dict):
        return None
    # A type error deeper in (`plus_days: seven`) is the fault; one at the mapping itself only
    # says it is not the other shape.
    within = [sub for sub in error.context or () if sub.validator != "type" or sub.relative_path]
    return within[0] if within else None


def _out_of_range(
    validator: str, bound: Any, instance: Any, path: tuple[Any, ...], where: Location
) -> RuleFileError:
    name = f"`{path[-1]}`" if path and isinstance(path[-1], str) else "this number"
    if validator == "maximum":
        return RuleFileError(f"{name} is at most {bound}, not {instance}", location=where)
    return RuleFileError(f"{name} is at least {bound}, not {instance}", location=where)


def _plural(type_names: str) -> str:
    words = {
        "object": "a mapping (key: value lines)",
        "array": "a list",
        "string": "a text",
        "integer": "a whole number",
        "boolean": "true or false",
        "null": "nothing",
    }
    for name, word in words.items():
        type_names = type_names.replace(name, word)
    return type_names


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"`{value}`"
