"""Parameter sets (YAML): strict schema, refused before any work starts.

Papermill only warns about unknown parameters; Cakupan refuses unknown keys, wrong types and
impossible values, naming the file, line, key and value.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import yaml

from analysis.data import MEASURES, PROJECT_ROOT, SEGMENTS
from analysis.errors import InputError, Problem, problem
from analysis.regions import LEVELS, is_valid_code

DEFAULT_PARAMS = PROJECT_ROOT / "params" / "default.yaml"
LANGUAGES = ("id", "en")

Check = Callable[[Any], str | None]  # returns the expectation when the value is wrong


def _is_list_of(options: tuple[str, ...], nonempty: bool = True) -> Check:
    def check(v: Any) -> str | None:
        ok = isinstance(v, list) and all(isinstance(x, str) and x in options for x in v) and len(set(v)) == len(v)
        if not ok or (nonempty and not v):
            return f"a list of distinct values from {', '.join(options)}"
        return None
    return check


def _one_of(options: tuple[str, ...]) -> Check:
    return lambda v: None if v in options else f"one of {', '.join(options)}"


def _int_between(lo: int, hi: int) -> Check:
    return lambda v: None if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi else f"a whole year from {lo} to {hi}"


def _percent(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100
    return None if ok else "a percentage in (0, 100]"


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() and len(v) <= 200 else "non-empty text (at most 200 characters)"


def _target_id(v: Any) -> str | None:
    return None if isinstance(v, str) and v.isidentifier() and len(v) <= 40 else "an identifier like rpjmn2029"


def _within(v: Any) -> str | None:
    if not isinstance(v, dict):
        return "a mapping from level to a list of parent codes"
    for level, codes in v.items():
        if level not in LEVELS:
            return f"levels from {', '.join(LEVELS)} as keys"
        if not isinstance(codes, list) or not all(is_valid_code(c) for c in codes):
            return "lists of Kemendagri codes like '32'"
    return None


TARGET_SCHEMA: dict[str, Check] = {"id": _target_id, "label": _text, "year": _int_between(2000, 2100), "percent": _percent, "source": _text}

# Top-level schema. Nested dicts are sections; "targets" is a list of TARGET_SCHEMA items.
SCHEMA: dict[str, Any] = {
    "coverage": {
        "segments": _is_list_of(SEGMENTS),
        "denominator": _is_list_of(MEASURES[1:]),
        "trend_denominator": _one_of(MEASURES[1:]),
    },
    "targets": "targets",
    "horizon": _int_between(2000, 2100),
    "levels": _is_list_of(LEVELS),
    "within": _within,
    "languages": _is_list_of(LANGUAGES),
}
REQUIRED_TARGET_KEYS = ("id", "label", "year", "percent")


def _line_map(text: str) -> dict[tuple, int]:
    """Line number (1-based) of every key path in a YAML document."""
    lines: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _validate(data: Any, schema: dict, path: tuple, file: Path, lines: dict, out: list[Problem]) -> None:
    if not isinstance(data, dict):
        out.append(problem(file, lines.get(path), ".".join(map(str, path)) or None, data, "a mapping of keys to values"))
        return
    for key, value in data.items():
        where = path + (key,)
        name = ".".join(map(str, where))
        if key not in schema:
            out.append(problem(file, lines.get(where), name, value, f"a known key (known here: {', '.join(schema)})"))
            continue
        rule = schema[key]
        if isinstance(rule, dict):
            _validate(value, rule, where, file, lines, out)
        elif rule == "targets":
            _validate_targets(value, where, file, lines, out)
        else:
            expected = rule(value)
            if expected:
                out.append(problem(file, lines.get(where), name, value, expected))


def _validate_targets(value: Any, path: tuple, file: Path, lines: dict, out: list[Problem]) -> None:
    if not isinstance(value, list) or not value:
        out.append(problem(file, lines.get(path), "targets", value, "a non-empty list of targets"))
        return
    seen = set()
    for i, target in enumerate(value):
        where = path + (i,)
        _validate(target, TARGET_SCHEMA, where, file, lines, out)
        if isinstance(target, dict):
            for key in REQUIRED_TARGET_KEYS:
                if key not in target:
                    out.append(problem(file, lines.get(where), f"targets.{i}.{key}", None, f"a '{key}' for every target"))
            if target.get("id") in seen:
                out.append(problem(file, lines.get(where + ("id",)), f"targets.{i}.id", target.get("id"), "a unique target id"))
            seen.add(target.get("id"))


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "within":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_params(path: str | Path | None = None) -> dict:
    """Defaults overlaid with the given file; every key validated with its line number."""
    defaults_text = DEFAULT_PARAMS.read_text(encoding="utf-8")
    params = yaml.safe_load(defaults_text)
    if path is None or Path(path).resolve() == DEFAULT_PARAMS.resolve():
        file, text = DEFAULT_PARAMS, defaults_text
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError([problem(file, None, None, str(file), "an existing YAML parameter file")])
        text = file.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
        lines = _line_map(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError([problem(file, mark.line + 1 if mark else None, None, getattr(exc, "problem", str(exc)), "valid YAML")]) from None
    out: list[Problem] = []
    _validate(data, SCHEMA, (), file, lines, out)
    if out:
        raise InputError(out)
    return _merge(params, data) if file != DEFAULT_PARAMS else params


def params_digest(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
