"""Renders Terraform's JSON syntax as native HCL, formatted as `terraform fmt` would.

Why not ship Chalice's chalice.tf.json as it is: checkov 3.1 scans only `.tf` files
with its Terraform runner and cannot take inline skips in JSON, so the Chalice
resources would go unchecked. Strings keep their meaning: both syntaxes read a
string as a template, so `${...}` sequences are copied verbatim and only the
literal text between them is escaped for HCL.
"""

from __future__ import annotations

import json
from typing import Any

COMMENT_KEY = "//"  # Terraform's JSON syntax ignores it; here it becomes `#` lines
MAP_ARGUMENTS = frozenset({"tags", "variables", "triggers"})  # objects that are maps, not blocks
META_ARGUMENTS = ("count", "for_each", "provider")  # written first, by convention
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INDENT = "  "


def _template_parts(text: str) -> list[tuple[bool, str]]:
    """Split a template into (is_interpolation, text) parts; `$${` stays literal."""
    parts: list[tuple[bool, str]] = []
    literal, index = "", 0
    while index < len(text):
        if text.startswith("$${", index):
            literal, index = literal + "$${", index + 3
        elif text.startswith("${", index):
            depth, end = 0, index + 1
            while end < len(text):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            parts.append((False, literal))
            parts.append((True, text[index : end + 1]))
            literal, index = "", end + 1
        else:
            literal, index = literal + text[index], index + 1
    parts.append((False, literal))
    return [part for part in parts if part[1]]


def string(text: str) -> str:
    parts = _template_parts(text)
    if len(parts) == 1 and parts[0][0]:
        return parts[0][1][2:-1].strip()  # a lone interpolation is an expression: fmt unwraps it
    body = "".join(
        chunk if interpolated else "".join(_ESCAPES.get(c, c) for c in chunk) for interpolated, chunk in parts
    )
    return f'"{body}"'


def _key(name: str) -> str:
    return json.dumps(name)


def expression(value: Any, depth: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return "[" + ", ".join(expression(item, depth) for item in value) + "]"
        inner = _INDENT * (depth + 1)
        lines = [f"{inner}{expression(item, depth + 1)}," for item in value]
        return "[\n" + "\n".join(lines) + f"\n{_INDENT * depth}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return (
            "{\n" + "\n".join(_attributes({_key(k): v for k, v in value.items()}, depth + 1)) + f"\n{_INDENT * depth}}}"
        )
    raise TypeError(f"cannot render {type(value).__name__}")


def _attributes(values: dict[str, Any], depth: int) -> list[str]:
    """Attribute lines; runs of one-line values get their `=` aligned, as fmt does."""
    rendered = [(name, expression(value, depth)) for name, value in values.items()]
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in run), default=0)
        lines.extend(f"{_INDENT * depth}{name.ljust(width)} = {text}" for name, text in run)
        run.clear()

    for name, text in rendered:
        if "\n" in text:
            flush()
            lines.append(f"{_INDENT * depth}{name} = {text}")
        else:
            run.append((name, text))
    flush()
    return lines


def _comments(value: str | list[str], depth: int) -> list[str]:
    notes = [value] if isinstance(value, str) else value
    return [f"{_INDENT * depth}#{note}" for note in notes]


def body(values: dict[str, Any], depth: int) -> list[str]:
    """A block body: comments first, then arguments, then nested blocks."""
    lines = _comments(values[COMMENT_KEY], depth) if COMMENT_KEY in values else []
    arguments: dict[str, Any] = {}
    blocks: list[tuple[str, dict[str, Any]]] = []
    for name, value in values.items():
        if name == COMMENT_KEY:
            continue
        if name == "depends_on":
            arguments[name] = ["${" + reference + "}" for reference in value]
        elif isinstance(value, dict) and name not in MAP_ARGUMENTS:
            blocks.append((name, value))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            blocks.extend((name, item) for item in value)
        else:
            arguments[name] = value
    first = {name: arguments.pop(name) for name in META_ARGUMENTS if name in arguments}
    lines.extend(_attributes({**first, **arguments}, depth))
    for name, content in blocks:
        lines.extend(block([name], content, depth))
    return lines


def block(labels: list[str], content: dict[str, Any], depth: int = 0) -> list[str]:
    head = " ".join([labels[0], *(json.dumps(label) for label in labels[1:])])
    inner = body(content, depth + 1)
    if not inner:
        return [f"{_INDENT * depth}{head} {{}}"]
    return [f"{_INDENT * depth}{head} {{", *inner, f"{_INDENT * depth}}}"]


def document(tree: dict[str, Any]) -> str:
    """Render a whole Terraform JSON document (resource, data, locals, output, ...)."""
    blocks: list[list[str]] = []
    for kind, entries in tree.items():
        if kind in ("resource", "data"):
            for type_name, named in entries.items():
                blocks.extend(block([kind, type_name, name], content) for name, content in named.items())
        elif kind == "locals":
            blocks.append(["locals {", *_attributes(entries, 1), "}"])
        elif kind in ("output", "variable", "provider"):
            blocks.extend(block([kind, name], content) for name, content in entries.items())
        else:
            blocks.append(block([kind], entries))
    return "\n\n".join("\n".join(lines) for lines in blocks) + "\n"
