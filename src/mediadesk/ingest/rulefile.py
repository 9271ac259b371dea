"""Rule files: a compliance rule set as a YAML or JSON file (the format of ``domain.rules``),
read with the line of every problem, and written back for export.

``read_rule_file(text, filename)`` reads ``.yaml``/``.yml``/``.json`` text of at most
``MAX_RULE_FILE_BYTES`` and gives the ``RuleSet``, or raises ``RuleFileError`` (an
``UnsafeFile``) with a sentence naming the file and the line::

    rules.yaml line 14: rules[3].pattern: missing ), unterminated subpattern at position 5 …

- JSON is read by ``json``; a syntax error gives ``JSONDecodeError``'s line. A second, small
  pass over the same text notes the line of every key and list item, so that a problem found
  by ``parse_rule_set`` (which names a path such as ``rules[3].when.markets[0]``) is reported
  at the line of that key or item (or of the nearest enclosing one when the key is missing).
  A key given twice in one object is refused (``json`` would silently keep the last).
- YAML is composed into nodes first (PyYAML's safe loader, in Python: libyaml crashes on deeply
  nested input), which carry their lines; nesting too deep for it is refused. Aliases
  (``*a``, and so ``<<: *a`` merges) are refused at the line they are written: a file of a few
  kB could otherwise expand into gigabytes ("billion laughs"). So are a key given twice, more
  than one document and tags the safe loader does not know. YAML 1.1 reads an unquoted
  ``NO``, ``yes``, ``on``/``off`` as true or false: when such a value is where a text belongs,
  the error says to quote it (the "Norway problem").

``dump_rule_set(rule_set, "yaml" | "json")`` writes the documented form (``rule_set_data``);
reading it back gives an equal rule set.
"""

from __future__ import annotations

import bisect
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from mediadesk.domain.rules import RuleError, RuleSet, parse_rule_set, rule_set_data
from mediadesk.ingest.safety import UnsafeFile

MAX_RULE_FILE_BYTES = 1024 * 1024
EXTENSIONS = (".yaml", ".yml", ".json")

# The pure-Python safe loader, not libyaml's: libyaml's composer recurses on the C stack and
# crashes the process on deeply nested input ("- " * 100_000, or "[" * 60_000 + "]" * 60_000),
# where the Python one stops with RecursionError. It reads a 1 MB rule file in about a second.
_SafeLoader: Any = yaml.SafeLoader
_SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_WHITESPACE = re.compile(r"[ \t\r\n]*")
_JSON_SCALAR = re.compile(r"[^,\]}\s]+")
_YAML_BOOL_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})


class RuleFileError(UnsafeFile):
    """A rule file mediadesk will not read; ``line`` (from 1) and ``path`` when known."""

    def __init__(self, message: str, *, line: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.path = path


@dataclass
class _Place:
    """Where a value sits in the file: its line, and those of what it holds."""

    line: int
    keys: dict[str, tuple[int, _Place]] = field(default_factory=dict)  # key -> (key line, value)
    items: list[_Place] = field(default_factory=list)
    hint: str = ""  # for a YAML scalar read as a boolean


def _path_parts(path: str) -> Iterator[str | int]:
    for match in _PATH_PART.finditer(path):
        key, index = match.groups()
        yield int(index) if index is not None else key


def _line_of(root: _Place | None, path: str) -> tuple[int | None, str]:
    """The line of ``path`` (or of its nearest enclosing key or item), and a hint."""
    if root is None:
        return None, ""
    place, line = root, root.line
    for part in _path_parts(path):
        if isinstance(part, int):
            if part >= len(place.items):
                break
            place = place.items[part]
            line = place.line
        else:
            if part not in place.keys:
                break
            line, place = place.keys[part]
    else:
        return line, place.hint
    return line, ""


def _fail(name: str, message: str, line: int | None = None, path: str | None = None) -> NoReturn:
    where = f"{name} line {line}" if line is not None else name
    raise RuleFileError(f"{where}: {message}", line=line, path=path)


# --- JSON -----------------------------------------------------------------------------------


class _JsonPlaces:
    """Lines of the keys and items of a JSON text that ``json`` has already accepted."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.newlines, offset - 1) + 1

    def skip(self, offset: int) -> int:
        match = _JSON_WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def value(self, offset: int) -> tuple[_Place, int]:
        offset = self.skip(offset)
        place = _Place(self.line(offset))
        char = self.text[offset]
        if char == "{":
            offset = self.skip(offset + 1)
            if self.text[offset] == "}":
                return place, offset + 1
            while True:
                string = _JSON_STRING.match(self.text, offset)
                if string is None:  # pragma: no cover - json accepted the text
                    raise ValueError("a key")
                key = json.loads(string.group())
                key_line = self.line(offset)
                if key in place.keys:
                    _fail(self.name, f"the key {key!r} is given twice in one object", key_line)
                offset = self.skip(string.end())
                child, offset = self.value(offset + 1)  # past the ':'
                place.keys[key] = (key_line, child)
                offset = self.skip(offset)
                if self.text[offset] == "}":
                    return place, offset + 1
                offset = self.skip(offset + 1)  # past the ','
        if char == "[":
            offset = self.skip(offset + 1)
            if self.text[offset] == "]":
                return place, offset + 1
            while True:
                child, offset = self.value(offset)
                place.items.append(child)
                offset = self.skip(offset)
                if self.text[offset] == "]":
                    return place, offset + 1
                offset += 1  # past the ','
        if char == '"':
            string = _JSON_STRING.match(self.text, offset)
            return place, string.end() if string else len(self.text)
        scalar = _JSON_SCALAR.match(self.text, offset)
        return place, scalar.end() if scalar else offset + 1


def _read_json(text: str, name: str) -> tuple[Any, _Place | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        _fail(name, f"not valid JSON: {error.msg} (column {error.colno})", error.lineno)
    except RecursionError:
        _fail(name, "nested too deeply to be a rule set")
    try:
        place, _ = _JsonPlaces(text, name).value(0)
    except RuleFileError:
        raise
    except (RecursionError, IndexError, ValueError):  # pragma: no cover - lines are a help
        place = None
    return data, place


# --- YAML -----------------------------------------------------------------------------------


def _yaml_places(node: yaml.Node, name: str) -> _Place:
    """Lines of every key and item; refuses reused nodes (aliases) and keys given twice."""
    seen: set[int] = set()

    def visit(node: yaml.Node) -> _Place:
        line = node.start_mark.line + 1
        if id(node) in seen:
            _fail(name, "aliases (*name) are not accepted in rule files: write the value out", line)
        seen.add(id(node))
        place = _Place(line)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if id(key_node) in seen:
                    _fail(name, "aliases (*name) are not accepted in rule files", line)
                seen.add(id(key_node))
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    _fail(name, "a key must be a plain text", key_line)
                key = str(key_node.value)
                if key == "<<":
                    _fail(name, "merge keys (<<) are not accepted in rule files", key_line)
                if key in place.keys:
                    _fail(name, f"the key {key!r} is given twice in one mapping", key_line)
                place.keys[key] = (key_line, visit(value_node))
        elif isinstance(node, yaml.SequenceNode):
            place.items = [visit(item) for item in node.value]
        elif (
            isinstance(node, yaml.ScalarNode)
            and node.tag == "tag:yaml.org,2002:bool"
            and not node.style
            and str(node.value).lower() in _YAML_BOOL_WORDS
        ):
            place.hint = (
                f" (YAML reads an unquoted {node.value} as true or false: write "
                f'"{node.value}" in quotes)'
            )
        return place

    return visit(node)


def _refuse_aliases(text: str, name: str) -> None:
    """Refuse an alias where it is written (only parsed for when the text has a ``*``)."""
    if "*" not in text:
        return
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else None
            _fail(
                name,
                f"aliases (*{event.anchor}) are not accepted in rule files: write the value out",
                line,
            )


def _read_yaml(text: str, name: str) -> tuple[Any, _Place | None]:
    try:
        _refuse_aliases(text, name)
    except yaml.YAMLError:
        pass  # reported with its line below
    except RecursionError:
        _fail(name, "nested too deeply to be a rule set")
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            _fail(name, "the file is empty; a rule set is an object with a 'rules' list", 1)
        place = _yaml_places(node, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        _fail(name, f"not valid YAML: {problem}", line)
    except yaml.YAMLError as error:
        _fail(name, f"not valid YAML: {error}")
    except RecursionError:
        _fail(name, "nested too deeply to be a rule set")
    finally:
        loader.dispose()
    return data, place


# --- reading and writing --------------------------------------------------------------------


def read_rule_file(text: str, filename: str) -> RuleSet:
    """The rule set in a YAML or JSON rule file (module docstring), or ``RuleFileError``."""
    name = posixpath.basename(filename.replace("\\", "/")) or "rule file"
    extension = posixpath.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        _fail(name, "a rule file is .yaml, .yml or .json")
    if len(text) > MAX_RULE_FILE_BYTES or len(text.encode("utf-8", "replace")) > (
        MAX_RULE_FILE_BYTES
    ):
        _fail(name, f"the file is larger than {MAX_RULE_FILE_BYTES // 1024 // 1024} MB")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        _fail(name, "the file is empty; a rule set is an object with a 'rules' list", 1)
    if extension == ".json":
        data, place = _read_json(text, name)
    else:
        data, place = _read_yaml(text, name)
    try:
        return parse_rule_set(data)
    except RuleError as error:
        line, hint = _line_of(place, error.path)
        _fail(name, error.message + hint, line, error.path)


def dump_rule_set(rule_set: RuleSet, fmt: str = "yaml") -> str:
    """The rule set as a YAML or JSON rule file (``read_rule_file`` reads it back equal)."""
    data = rule_set_data(rule_set)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        body: str = yaml.dump(
            data, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=100
        )
        return f"# mediadesk compliance rule set (format version {rule_set.version})\n{body}"
    raise ValueError(f"Export a rule set as 'yaml' or 'json', not {fmt!r}.")
