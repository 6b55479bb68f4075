"""Parameter sets (YAML): strict schema, refused before any work starts.

Papermill only warns about unknown parameters; Cakupan refuses unknown keys, wrong types and
impossible values, naming the file, line, key and value.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from analysis.data.contract import MEASURES, PROJECT_ROOT, SEGMENTS
from analysis.core.problems import InputError, Problem, input_problem, problem
from analysis.core.messages import cli_language, t
from analysis.model.forecast import COMBINED, METHODS
from analysis.model.ranking import INDICATORS
from analysis.data.regions import LEVELS, is_valid_code
from analysis.model.scenarios import BASES, LEVERS, UNITS

DEFAULT_PARAMS = PROJECT_ROOT / "params" / "default.yaml"
LANGUAGES = ("id", "en")

Check = Callable[[Any], str | None]  # returns the expectation when the value is wrong


def _t(key: str, /, **values: object) -> str:
    """An expectation in the command line's language (positional ``key``: a message may have a ``{key}`` too)."""
    return t(key, cli_language(), **values)


def _is_list_of(options: tuple[str, ...], nonempty: bool = True) -> Check:
    def check(v: Any) -> str | None:
        ok = isinstance(v, list) and all(isinstance(x, str) and x in options for x in v) and len(set(v)) == len(v)
        if not ok or (nonempty and not v):
            return _t("params.expect.list_of", options=", ".join(options))
        return None
    return check


def _one_of(options: tuple[str, ...]) -> Check:
    return lambda v: None if v in options else _t("cli.expect.choice", choices=", ".join(options))


def _int_between(lo: int, hi: int) -> Check:
    return lambda v: None if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi else _t("params.expect.year", lo=lo, hi=hi)


def _percent(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100
    return None if ok else _t("params.expect.percent")


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() and len(v) <= 200 else _t("params.expect.text")


def _target_id(v: Any) -> str | None:
    return None if isinstance(v, str) and v.isidentifier() and len(v) <= 40 else _t("params.expect.identifier")


def _within(v: Any) -> str | None:
    if not isinstance(v, dict):
        return _t("params.expect.within")
    for level, codes in v.items():
        if level not in LEVELS:
            return _t("params.expect.level_keys", levels=", ".join(LEVELS))
        if not isinstance(codes, list) or not all(is_valid_code(c) for c in codes):
            return _t("params.expect.code_lists")
    return None


def _whole(lo: int, hi: int) -> Check:
    return lambda v: None if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi else _t("params.expect.whole", lo=lo, hi=hi)


def _positive(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
    return None if ok else _t("params.expect.positive")


def _weights(v: Any) -> str | None:
    ok = isinstance(v, dict) and set(v) <= set(INDICATORS) and all(
        isinstance(w, (int, float)) and not isinstance(w, bool) and 0 <= w <= 1 for w in v.values())
    return None if ok else _t("params.expect.weights_map", indicators=", ".join(INDICATORS))


def _percent_by_region(v: Any) -> str | None:
    ok = isinstance(v, dict) and all(is_valid_code(k) and _percent(x) is None for k, x in v.items())
    return None if ok else _t("params.expect.percent_by_region")


@dataclass(frozen=True)
class Items:
    """A rule for a list of sections, or (with ``keys``) a mapping from fixed keys to sections."""

    schema: dict[str, Check]
    required: tuple[str, ...]
    keys: tuple[str, ...] = ()  # for a mapping: the allowed keys
    unique: str | None = None  # for a list: the key that must not repeat


MILESTONE_SCHEMA: dict[str, Check] = {"label": _text, "year": _int_between(2000, 2100), "percent": _percent, "source": _text}
TARGET_SCHEMA: dict[str, Any] = {"id": _target_id, "label": _text, "year": _int_between(2000, 2100), "percent": _percent, "source": _text,
                                 # interim values on the way to the target (RPJMN 2025, RKP 2026), each with its source
                                 "milestones": Items(MILESTONE_SCHEMA, ("label", "year", "percent", "source"), unique="year")}
LEVER_SCHEMA: dict[str, Check] = {
    "basis": _one_of(BASES), "unit": _one_of(UNITS), "per_year": _positive,
    "start_year": _int_between(2000, 2100), "ramp_years": _whole(1, 30), "source": _text,
}
COMPARE_SCHEMA: dict[str, Check] = {"id": _target_id, "levers": _is_list_of(LEVERS)}

# Top-level schema. Nested dicts are sections; Items are lists or keyed maps of sections.
SCHEMA: dict[str, Any] = {
    "coverage": {
        "segments": _is_list_of(SEGMENTS),
        "denominator": _is_list_of(MEASURES[1:]),
        "trend_denominator": _one_of(MEASURES[1:]),
    },
    "targets": Items(TARGET_SCHEMA, ("id", "label", "year", "percent"), unique="id"),
    "horizon": _int_between(2000, 2100),
    "levels": _is_list_of(LEVELS),
    "within": _within,
    "languages": _is_list_of(LANGUAGES),
    "forecast": {
        "method": _one_of((COMBINED, *METHODS)),
        "paths": _whole(200, 20000),
        "seed": _whole(0, 2**32 - 1),
    },
    "pace": {"window": _whole(1, 10)},
    "ranking": {"target": _target_id, "weights": _weights},
    "scenarios": {
        "retention": _percent,
        "informal_share": {"default": _percent, "regions": _percent_by_region, "source": _text},
        # Every lever is in the defaults, so a file may change a single key of one lever.
        "levers": Items(LEVER_SCHEMA, (), keys=LEVERS),
        "compare": Items(COMPARE_SCHEMA, ("id", "levers"), unique="id"),
    },
}
WEIGHT_TOLERANCE = 1e-9


# Limits of a parameter file: far above any real one (default.yaml: 5 KB, depth 5, no aliases), far
# below what makes a hostile file (alias bombs, deep nesting, huge scalars) cost more than a second.
MAX_BYTES = 64 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 64
MAX_NODES = 5_000  # after expanding aliases
MAX_SCALAR = 10_000  # characters
# LibYAML when PyYAML has it (the wheels do): the pure-Python parser takes seconds on a file at the limits.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq"))


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _check_events(text: str, file: Path) -> None:
    """Refuse, from the event stream (no recursion, no expansion), what a parameter file never needs."""
    depth = bracket = 0
    for number, line in enumerate(text.splitlines(), 1):  # "[[[[..." makes YAML scanners slow before any event
        for char in line:
            bracket += (char in "[{") - (char in "]}")
            if bracket > MAX_DEPTH:
                raise InputError([problem(file, number, None, _t("params.found.brackets", count=bracket),
                                          _t("params.expect.depth", limit=MAX_DEPTH))])
    aliases = events = 0
    for event in yaml.parse(text, Loader=LOADER):
        events += 1
        where = _line(event.start_mark)
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError([problem(file, where, None, _t("params.found.depth", depth=depth),
                                          _t("params.expect.depth", limit=MAX_DEPTH))])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputError([problem(file, where, None, f"*{event.anchor}", _t("params.expect.aliases", limit=MAX_ALIASES))])
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR:
            raise InputError([problem(file, where, None, event.value[:40] + "...", _t("params.expect.scalar", limit=MAX_SCALAR))])
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in PLAIN_TAGS:
            raise InputError([problem(file, where, None, tag, _t("params.expect.tags"))])
        if events > MAX_NODES:
            raise InputError([problem(file, where, None, _t("params.found.events", count=events),
                                      _t("params.expect.values", limit=MAX_NODES))])


def _expanded_size_ok(root: yaml.Node) -> bool:
    """Is the tree, with every alias expanded, at most MAX_NODES nodes? (Stops counting at the limit, so
    an alias bomb or a cycle costs microseconds.)"""
    budget = MAX_NODES
    stack = [root]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return True


def _node_lines(root: yaml.Node | None, file: Path) -> tuple[dict[tuple, int], list[Problem]]:
    """Line number (1-based) of every key path in a YAML document, and any key given twice in one mapping."""
    lines: dict[tuple, int] = {}
    repeated: list[Problem] = []

    def walk(node: yaml.Node, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else repr(key.value)
                line = key.start_mark.line + 1
                if name in seen:
                    column = ".".join(map(str, path + (name,)))
                    repeated.append(problem(file, line, column, name, _t("params.expect.key_once", line=seen[name])))
                seen.setdefault(name, line)
                lines[path + (name,)] = line
                walk(value, path + (name,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return lines, repeated


MAX_DIGITS = 30  # no parameter is a number longer than this; Python refuses to print ints of 4,300 digits


def _check_numbers(data: Any, file: Path, lines: dict[tuple, int]) -> None:
    """Refuse integers too long to be a parameter (hex, base-60 and decimal forms build them from short text)."""
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_DIGITS * 4:
            raise InputError([problem(file, lines.get(path), ".".join(map(str, path)) or None, _t("params.found.bits", bits=value.bit_length()),
                                      _t("params.expect.digits", limit=MAX_DIGITS))])


def _line_map(text: str) -> dict[tuple, int]:
    """Line of every key path of a parameter file already accepted by :func:`load_params`."""
    return _node_lines(yaml.compose(text, Loader=LOADER), Path())[0]


def _read_text(file: Path) -> str:
    """The file as UTF-8 text, refused before it is read whole when it is too large or not a regular file."""
    if not file.is_file():
        raise InputError([problem(file, None, None, str(file), _t("params.expect.file"))])
    with open(file, "rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise InputError([problem(file, None, None, _t("params.found.size", limit=MAX_BYTES // 1024),
                                  _t("params.expect.size", limit=MAX_BYTES // 1024))])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError([problem(file, line, None, raw[exc.start:exc.start + 1],
                                  _t("params.expect.utf8", byte=f"{raw[exc.start]:02X}", offset=exc.start))]) from None


def read_yaml(file: Path, text: str) -> tuple[Any, dict[tuple, int]]:
    """A parameter file's data and the line of every key, within the limits above; InputError otherwise."""
    try:
        _check_events(text, file)
        loader = LOADER(text)
        try:
            root = loader.get_single_node()
            if root is not None and not _expanded_size_ok(root):
                raise InputError([problem(file, _line(root.start_mark), None, _t("params.found.aliases"),
                                          _t("params.expect.expanded", limit=MAX_NODES))])
            lines, repeated = _node_lines(root, file)  # before construction, which folds merge keys (<<) into the node
            if repeated:
                raise InputError(repeated)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
        _check_numbers(data, file, lines)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError([problem(file, _line(mark), None, getattr(exc, "problem", None) or str(exc), _t("params.expect.yaml"))]) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more digits than Python converts
        raise InputError([problem(file, None, None, str(exc)[:80], _t("params.expect.plain"))]) from None
    return ({} if data is None else data), lines


def _validate(data: Any, schema: dict, path: tuple, file: Path, lines: dict, out: list[Problem]) -> None:
    if not isinstance(data, dict):
        out.append(problem(file, lines.get(path), ".".join(map(str, path)) or None, data, _t("params.expect.mapping")))
        return
    for key, value in data.items():
        where = path + (key,)
        name = ".".join(map(str, where))
        if key not in schema:
            out.append(problem(file, lines.get(where), name, value, _t("params.expect.known_key", keys=", ".join(schema))))
            continue
        rule = schema[key]
        if isinstance(rule, dict):
            _validate(value, rule, where, file, lines, out)
        elif isinstance(rule, Items):
            _validate_items(value, rule, where, file, lines, out)
        else:
            expected = rule(value)
            if expected:
                out.append(problem(file, lines.get(where), name, value, expected))


def _validate_items(value: Any, rule: Items, path: tuple, file: Path, lines: dict, out: list[Problem]) -> None:
    name = ".".join(map(str, path))
    if rule.keys:
        if not isinstance(value, dict):
            out.append(problem(file, lines.get(path), name, value, _t("params.expect.keys_from", keys=", ".join(rule.keys))))
            return
        entries = list(value.items())
    else:
        if not isinstance(value, list) or not value:
            out.append(problem(file, lines.get(path), name, value, _t("params.expect.nonempty")))
            return
        entries = list(enumerate(value))
    seen = set()
    for key, item in entries:
        where = path + (key,)
        if rule.keys and key not in rule.keys:
            out.append(problem(file, lines.get(where), f"{name}.{key}", key, _t("cli.expect.choice", choices=", ".join(rule.keys))))
            continue
        _validate(item, rule.schema, where, file, lines, out)
        if not isinstance(item, dict):
            continue
        for required in rule.required:
            if required not in item:
                out.append(problem(file, lines.get(where), f"{name}.{key}.{required}", None, _t("params.expect.required", key=required)))
        if rule.unique:
            if item.get(rule.unique) in seen:
                out.append(problem(file, lines.get(where + (rule.unique,)), f"{name}.{key}.{rule.unique}",
                                   item.get(rule.unique), _t("params.expect.unique", key=rule.unique)))
            seen.add(item.get(rule.unique))


def _check_merged(params: dict, locate: Callable[[tuple], tuple[Path, int | None]]) -> list[Problem]:
    """Rules across keys, on the merged parameters (a file may override only some of the keys involved)."""
    out: list[Problem] = []

    def add(path: tuple, value: Any, expected: str) -> None:
        out.append(problem(*locate(path), ".".join(map(str, path)), value, expected))

    ids = [target["id"] for target in params["targets"]]
    for i, target in enumerate(params["targets"]):
        for j, milestone in enumerate(target.get("milestones", [])):
            if milestone["year"] >= target["year"]:
                add(("targets", i, "milestones", j, "year"), milestone["year"], _t("params.expect.milestone_year", year=target["year"]))
    ranking = params["ranking"]
    if ranking["target"] not in ids:
        add(("ranking", "target"), ranking["target"], _t("params.expect.target_id", ids=", ".join(ids)))
    weights = ranking["weights"]
    if set(weights) != set(INDICATORS) or abs(sum(weights.values()) - 1.0) > WEIGHT_TOLERANCE:
        add(("ranking", "weights"), weights, _t("params.expect.weights_sum", indicators=", ".join(INDICATORS)))
    for key, lever in params["scenarios"]["levers"].items():
        if lever["unit"] == "share" and lever["per_year"] > 100:
            add(("scenarios", "levers", key, "per_year"), lever["per_year"], _t("params.expect.share"))
        if lever["basis"] == "sourced" and not lever.get("source"):
            add(("scenarios", "levers", key, "basis"), lever["basis"], _t("params.expect.sourced"))
    return out


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
    defaults, default_lines = read_yaml(DEFAULT_PARAMS, defaults_text)
    odd = input_problem(path, "file") if path is not None else None
    if odd is not None:  # before resolve(): a link loop is named, not raised
        raise InputError([odd])
    if path is None or Path(path).resolve() == DEFAULT_PARAMS.resolve():
        file, data, lines = DEFAULT_PARAMS, defaults, default_lines
    else:
        file = Path(path)
        data, lines = read_yaml(file, _read_text(file))
    out: list[Problem] = []
    _validate(data, SCHEMA, (), file, lines, out)
    if out:
        raise InputError(out)
    params = _merge(defaults, data) if file != DEFAULT_PARAMS else defaults

    def locate(key: tuple) -> tuple[Path, int | None]:
        return (file, lines[key]) if key in lines else (DEFAULT_PARAMS, default_lines.get(key))

    out = _check_merged(params, locate)
    if out:
        raise InputError(out)
    return params


@lru_cache(maxsize=8)
def _cached(path: str | None, stamp: tuple) -> dict:
    return load_params(path)


def cached_params(path: str | Path | None = None) -> dict:
    """``load_params`` once per process and file version (warm kernels build many reports).

    A deep copy each time: a notebook may change its parameters without touching the next report's.
    """
    file = Path(path).resolve() if path else None
    stamp = (file.stat().st_mtime_ns, file.stat().st_size) if file and file.is_file() else ()
    return copy.deepcopy(_cached(str(file) if file else None, stamp))


def params_digest(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
