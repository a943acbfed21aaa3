"""The one way to read YAML and JSON that may be hostile: bounded in size, expansion and nesting.

Every settings file (a scenario, the files it extends, a sweep or calibration spec), every ``--set`` value
and every saved file the report reads back (a folder's ``scenario.yaml``, ``manifest.json``) is read here,
so that a file cannot take minutes or gigabytes to refuse, and so that it says what it says once:

- a file is at most ``MAX_BYTES`` (no more is read);
- a YAML document is at most ``MAX_VALUES`` values once its aliases are expanded, counted while it is
  read, before anything is built: a "billion laughs" alias bomb is refused after a few hundred values;
  an alias inside the collection it names (``&a [*a]``, a document that never ends) is refused;
- nesting is at most ``MAX_DEPTH`` levels (YAML or JSON), so that no reader recurses without end;
- a whole number too long for Python to convert (4300 digits) is refused in one line;
- a key given twice in one mapping is refused (YAML requires unique keys; PyYAML keeps the last one
  silently). A key written ``1`` and one written ``'1'`` count as the same key, as the settings read them;
- a date that does not exist (``2021-02-30``, ``2021-13-01``, unquoted) is read as the text it is, so that
  validation names the setting ("no such day") instead of PyYAML failing on it with a traceback.

PyYAML reads YAML 1.1, whose plain scalars hold surprises that YAML 1.2 (and every other reader of these
files) removed. A value means here what it says, or it is refused naming the setting; what each file of
the project says is unchanged (tests/test_safe_load.py reads them all both ways):

- a base-60 number is refused: ``replications: 1:30`` would be 90, ``1:30:00`` 5400, ``190:20:30.15``
  685230.15 (write 90, or quote the text: ``'1:30'``);
- a whole number with a leading zero is refused: ``017`` would be the octal 15, ``08`` text, and YAML 1.2
  reads both as decimals (write 15 or 17, or quote the text);
- a binary or hexadecimal whole number (``0b101``, ``0x1F``) is refused: settings are decimal numbers
  written as a planner reads them (the message gives the decimal: 5, 31); ``0o17`` is text to PyYAML and
  stays so, so a number setting refuses it;
- ``yes``, ``no``, ``on``, ``off`` (any case PyYAML knows) are text, as in YAML 1.2: a district, a name or a
  policy called ``no`` is not turned into false. Only ``true`` and ``false`` (``True``, ``TRUE``...) are
  booleans to the reader; a true-or-false setting still takes yes/no/on/off, as written, because there
  the schema knows what is meant (``scenario.validation``);
- kept as YAML 1.1 has them, because they mean what they look like: ``1_000`` (1000, digits grouped),
  ``.inf`` and ``.nan`` (floats: the schema refuses a number that is not finite, naming the setting).

Only plain scalars are looked at: a quoted value is text, and an explicit tag (``!!int 017``) is taken at
its word.

What is refused raises ``Refused`` (one line, the line of the file and the dotted path of the setting
where known); syntax errors stay PyYAML's and json's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from .fields import spell

#: the largest file read, in bytes: settings files and saved scenarios are a few KiB
MAX_BYTES = 256 * 1024
#: the most values (scalars and collections) a YAML document may expand to through its aliases
MAX_VALUES = 20_000
#: the deepest nesting of mappings and lists (a scenario nests five levels)
MAX_DEPTH = 32

_MERGE = "tag:yaml.org,2002:merge"
_INT, _FLOAT, _BOOL = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"
#: the booleans the reader knows: YAML 1.2's (yes/no/on/off are text)
_BOOLEAN = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
#: a whole number with a leading zero (017: octal to YAML 1.1, decimal to YAML 1.2; 08: text to YAML 1.1)
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")


class Refused(ValueError):
    """A file refused before it is used: ``message`` (one line), ``line`` (1-based) and ``field`` (the
    dotted path of the setting) where known."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None,
                 column: int | None = None) -> None:
        super().__init__(message, line, field)
        where = None if line is None else f"line {line}" if column is None else f"line {line}, column {column}"
        self.reason = message                # without the place: for a --set value, which has no lines
        self.message = message if where is None else f"{message} ({where})"
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path``, read no further than ``max_bytes`` (``Refused`` when it is larger).

    Raises OSError and UnicodeDecodeError as ``open`` and ``decode`` do.
    """
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(f"the file is larger than {_size(max_bytes)}, too large for a settings file (they are a few "
                      "KiB)")
    return data.decode("utf-8")


def load_yaml(text: str) -> Any:
    """One YAML document (safe tags only) within the bounds above; ``Refused`` or ``yaml.YAMLError``."""
    if len(text) > MAX_BYTES:
        raise Refused(f"the text is longer than {_size(MAX_BYTES)}, too large for settings")
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_json(text: str) -> Any:
    """One JSON value nested at most ``MAX_DEPTH`` deep; ``Refused`` or ``json.JSONDecodeError``."""
    if len(text) > MAX_BYTES:
        raise Refused(f"the text is longer than {_size(MAX_BYTES)}")
    try:
        data = json.loads(text)
    except RecursionError:
        raise Refused(_too_deep()) from None
    except json.JSONDecodeError:
        raise
    except ValueError as err:               # a number of more than 4300 digits
        raise Refused(f"a number cannot be read: {' '.join(str(err).split()[:9])}") from None
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise Refused(_too_deep())
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return data


def _size(n: int) -> str:
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} bytes"


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, counting as it composes: the values each node stands for (aliases included),
    the depth, and the keys of each mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open: list[int] = []          # values so far of each collection being composed, outermost first
        self._keys: list[str | None] = []   # the key of each, None for a list item or a key
        self._sizes: dict[int, int] = {}    # id(node) -> values it stands for, once composed

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:          # an undefined alias is PyYAML's error to report
                size = self._sizes.get(id(target))
                if size is None:
                    raise Refused(f"the alias *{event.anchor} is inside the collection &{event.anchor} it names, "
                                  "which would never end", event.start_mark.line + 1, self._field())
                self._count(size, event.start_mark)
            return super().compose_node(parent, index)
        event = self.peek_event()
        mark = event.start_mark
        if len(self._open) >= MAX_DEPTH and self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent):
            raise Refused(_too_deep(), mark.line + 1, self._field())
        key = index.value if isinstance(parent, yaml.MappingNode) and isinstance(index, yaml.ScalarNode) else None
        self._open.append(0)
        self._keys.append(key)
        try:
            if isinstance(event, yaml.ScalarEvent):
                self._check_plain(event, key=isinstance(parent, yaml.MappingNode) and index is None)
            node = super().compose_node(parent, index)
            if isinstance(node, yaml.MappingNode):
                self._check_keys(node)
        finally:
            inner = self._open.pop()
            self._keys.pop()
        size = 1 + inner
        self._sizes[id(node)] = size
        self._count(size, mark)
        return node

    def _check_plain(self, event: Any, key: bool) -> None:
        """Refuse a plain scalar that YAML 1.1 reads as a number nobody wrote (module docstring)."""
        text = event.value
        if event.style is not None or event.tag not in (None, "!"):
            return                          # quoted: text; tagged: as the tag says
        tag = self.resolve(yaml.ScalarNode, text, (True, False))
        what = f"the key {text}" if key else text
        digits = text.lstrip("+-").replace("_", "")
        if tag in (_INT, _FLOAT) and ":" in text:
            value = super().construct_yaml_int if tag == _INT else super().construct_yaml_float
            number = value(yaml.ScalarNode(tag, text))
            problem = (f"{what} is a base-60 number to YAML 1.1 ({spell(number)}), not what it looks like; "
                       f"write {spell(number)} for the number, or quote it ('{text}') for text")
        elif _LEADING_ZERO.fullmatch(text):
            sign = "-" if text.startswith("-") else ""
            decimal = int(sign + digits)
            octal = int(sign + digits, 8) if set(digits) <= set("01234567") else None
            meant = " or ".join(str(n) for n in sorted({decimal} if octal is None else {decimal, octal}))
            problem = (f"{what} has a leading zero: YAML 1.1 reads it as "
                       f"{'text' if octal is None else f'the octal number {octal}'}, YAML 1.2 as {decimal}; "
                       f"write {meant} as meant, or quote it ('{text}') for text")
        elif tag == _INT and digits[:2] in ("0b", "0x"):
            number = super().construct_yaml_int(yaml.ScalarNode(tag, text))
            base = "binary" if digits[1] == "b" else "hexadecimal"
            problem = (f"{what} is a {base} number ({number}); write it in decimals ({number}), or quote it "
                       f"('{text}') for text")
        else:
            return
        raise Refused(problem, event.start_mark.line + 1, self._field(), event.start_mark.column + 1)

    def _count(self, size: int, mark) -> None:
        """Add a node's values to the collection holding it; refuse a document over ``MAX_VALUES``."""
        total = size
        if self._open:
            self._open[-1] += size
            total = self._open[-1]
        if total > MAX_VALUES:
            raise Refused(f"the document holds more than {MAX_VALUES} values (each alias *name counted as the "
                          "values it repeats), too many for a settings file", mark.line + 1)

    def _field(self, key: str | None = None) -> str | None:
        parts = [k for k in (*self._keys, key) if k is not None]
        return ".".join(parts) or None

    def _check_keys(self, node: yaml.MappingNode) -> None:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            try:
                key = self.construct_object(key_node, deep=True)
                key = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
                first = seen.setdefault(key, key_node)
            except (yaml.YAMLError, TypeError, ValueError):
                continue                    # an unreadable or unhashable key: PyYAML reports it when building
            if first is not key_node:
                lines = sorted({first.start_mark.line + 1, key_node.start_mark.line + 1})
                where = " and ".join(map(str, lines))
                raise Refused(f"the key {spell(key_node.value)} is given twice, at line{'s' * (len(lines) - 1)} "
                              f"{where}; keep one", field=self._field(str(key)))

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:                  # more digits than Python converts (4300)
            raise Refused("a whole number of more than 4300 digits", node.start_mark.line + 1) from None

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:                  # 2021-02-30: the text, for validation to name the setting
            return self.construct_scalar(node)


# the implicit booleans of YAML 1.2: PyYAML's resolvers without its bool, then true/false only
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(_BOOL, _BOOLEAN, list("tTfF"))
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
