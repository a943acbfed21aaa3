"""Read a scenario file, follow its ``extends`` chain, apply ``--set`` overrides, validate.

Scenarios are small files that differ from a baseline in a few settings, so a
file may ``extends:`` another (deep merge, child wins) and the command line may
change single values. Errors name the file (or ``--set``) the bad value came
from, so that a planner knows which file to open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..core.fields import Field, MapOf, Node, PathError, Section, canonical, child, closest, resolve
from ..core.safe_load import Refused, load_yaml, read_text
from . import uncertainty
from .schema import SCENARIO
from .validation import Scenario, ScenarioError, describe, kind, validate

#: the label errors carry when the bad value came from a command-line override
OVERRIDE = "--set"
#: the most files an extends chain may hold (a what-if of a what-if of the baseline is three)
MAX_EXTENDS = 16


def load_scenario(path: str | Path, overrides: Sequence[str | tuple[str, Any]] = ()) -> Scenario:
    """Load, merge and validate the scenario at ``path``.

    Parameters
    ----------
    path : the scenario YAML file; its stem is the default ``name`` (a ``name`` in a file it extends
        is not inherited, so a what-if file's results never mix with its parent's).
    overrides : ``key.path=value`` strings (the CLI's ``--set``), or ``(key.path, value)`` pairs with the
        value already read (a sweep's sampled numbers), applied last, in order.
    """
    path = Path(path)
    sources = _read_chain(path, ())
    for _, raw in sources[:-1]:
        raw.pop("name", None)       # a what-if file is named after itself, never after its parent
    merged: dict = {}
    for _, raw in sources:
        merged = _merge(merged, raw)
    for text in overrides:
        keys, value = parse_override(text) if isinstance(text, str) else (text[0].split("."), text[1])
        _check_override_path(keys, merged)
        patch: Any = value
        for key in reversed(keys):
            patch = {key: patch}
        sources.append((OVERRIDE, patch))
        merged = _merge(merged, patch)
    _locate_posterior(merged, sources, str(path))
    try:
        scenario = validate(merged, file=str(path), default_name=path.stem)
    except ScenarioError as err:
        err.file = _origin(sources, err.field, str(path))
        raise
    uncertainty.posterior_of(scenario, _origin(sources, uncertainty.POSTERIOR_FIELD, str(path)))  # refused here
    return scenario


def _locate_posterior(merged: dict, sources: list[tuple[str, Any]], path: str) -> None:
    """Make a posterior file named in ``merged`` an absolute path, from the folder of the file that names it, so
    the scenario as run (a run folder's scenario.yaml) finds it from anywhere. A value that is not text is left to
    validation."""
    section = merged.get("uncertainty")
    if isinstance(section, Mapping) and isinstance(section.get("posterior"), str):
        where = _origin(sources, uncertainty.POSTERIOR_FIELD, path)
        merged["uncertainty"] = {**section, "posterior": uncertainty.posterior_path(section["posterior"], where)}


def scenario_files(path: str | Path) -> list[str]:
    """The scenario file and every file it extends, the furthest parent first (for the manifest)."""
    return [label for label, _ in _read_chain(Path(path), ())]


def setting_origins(path: str | Path, overrides: Sequence[str | tuple[str, Any]] = ()) -> dict[str, dict[str, str]]:
    """Where each setting the scenario at ``path`` gives came from, for the record: the dotted path of every
    setting (a Field or a whole MapOf, as the schema has it) that a file of the ``extends`` chain or an
    override gives -> ``{"from": file (or "--set"), "comment": the comment at the end of its line, if any}``;
    the last source wins, as in the merge (a mapping names every source that gave some of its keys). Call
    it after ``load_scenario`` has accepted the same arguments."""
    out: dict[str, dict[str, str]] = {}

    def record(dotted: str, label: str, comment: str) -> None:
        before = out.get(dotted)
        if before is not None and before["from"] != label and isinstance(resolve(SCENARIO, dotted), MapOf):
            label = f"{before['from']} and {label}"          # a mapping merges key by key
            comment = comment or before.get("comment", "")
        out[dotted] = {"from": label, **({"comment": comment} if comment else {})}

    for label, raw in _read_chain(Path(path), ()):
        comments = _line_comments(Path(label))
        for dotted, keys in _given(raw, SCENARIO, ()):
            record(dotted, label, comments.get(keys, ""))
    for text in overrides:
        keys = parse_override(text)[0] if isinstance(text, str) else text[0].split(".")
        for dotted, _ in _given(_nest(keys), SCENARIO, ()):
            record(dotted, OVERRIDE, "")
    return out


def _nest(keys: Sequence[str]) -> dict:
    tree: Any = None
    for key in reversed(keys):
        tree = {key: tree}
    return tree


def _given(raw: Mapping, spec: Node | None, prefix: tuple[str, ...]):
    """``(dotted path, the keys as written)`` of every setting below ``raw`` that the schema knows."""
    for key, value in raw.items():
        node = None if spec is None else child(spec, key)
        if node is None:
            continue
        keys = (*prefix, str(key))
        if isinstance(node, Field) or not isinstance(value, Mapping) or not isinstance(node, Section):
            yield canonical(SCENARIO, ".".join(keys)), keys
        else:
            yield from _given(value, node, keys)


def _line_comments(path: Path) -> dict[tuple[str, ...], str]:
    """The comment at the end of each key's line in a YAML file, by the key's path (``rate_per_year: 0.0358
    # bootstrap ...``); after the key's value when that is on the same line."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines = text.splitlines()
    out: dict[tuple[str, ...], str] = {}

    def visit(node: Any, prefix: tuple[str, ...]) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            keys = (*prefix, str(key.value))
            line = key.end_mark.line
            after = value.end_mark if value.end_mark.line == line and not isinstance(value, yaml.MappingNode) \
                or isinstance(value, yaml.MappingNode) and value.flow_style else key.end_mark
            rest = lines[line][after.column:] if line < len(lines) and after.line == line else ""
            rest = rest.lstrip().removeprefix(":").lstrip() if after is key.end_mark else rest.lstrip()
            if rest.startswith("#"):
                out[keys] = rest[1:].strip()
            visit(value, keys)

    visit(root, ())
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into ``(["a", "b", "c"], value)``, the value read as YAML."""
    if not isinstance(text, str) or "=" not in text:
        raise ScenarioError(
            f"expected key.path=value, like behaviour.hukou.min_insurance_years=3; got {text!r}", OVERRIDE)
    left, _, right = text.partition("=")
    keys = [key.strip() for key in left.split(".")]
    if not all(keys):
        raise ScenarioError(f"the key path before '=' is empty or has an empty part, in {text!r}", OVERRIDE)
    try:
        value = load_yaml(right)
    except Refused as err:
        inner = f"{err.field}: {err.reason}" if err.field else err.reason      # a value has no lines to name
        raise ScenarioError(f"the value of {left.strip()} is refused: {inner}", OVERRIDE) from None
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError(f"the value in {text!r} is not valid YAML: {problem}", OVERRIDE) from None
    return keys, value


def _read_chain(path: Path, chain: tuple[tuple[Path, str], ...]) -> list[tuple[str, dict]]:
    """The file and the files it extends, as (label, mapping), the furthest parent first."""
    label = str(path)
    raw = read_mapping(path)
    _check_scenario_keys(raw, label)
    chain = (*chain, (path.resolve(), label))
    if "extends" not in raw:
        return [(label, raw)]
    reference = raw.pop("extends")
    if not isinstance(reference, str) or not reference.strip():
        raise ScenarioError(f"expected the file name of a scenario to extend, got {describe(reference)}",
                            "extends", label)
    parent = path.parent / reference.strip()
    try:
        found = parent.is_file()                  # first: a symbolic link that loops is not a file either
    except OSError as err:                        # a name longer than the file system allows
        raise ScenarioError(f"the file to extend cannot be read: {parent} ({err.strerror})", "extends",
                            label) from None
    if not found:
        raise ScenarioError(f"the file to extend was not found: {parent}", "extends", label)
    if parent.resolve() in {resolved for resolved, _ in chain}:
        names = " -> ".join([*(name for _, name in chain), str(parent)])
        raise ScenarioError(f"extends forms a cycle: {names}", "extends", label)
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(f"extends chains more than {MAX_EXTENDS} files ({chain[0][1]} -> ... -> {label} -> "
                            f"{parent}); extend a file nearer the baseline", "extends", label)
    return [*_read_chain(parent, chain), (label, raw)]


def read_mapping(path: Path, what: str = "scenario file") -> dict:
    """One YAML file as a mapping (an empty or comment-only file is refused). ``what`` names the file in
    errors."""
    try:
        found, plain = path.exists(), path.is_file()
    except OSError as err:                        # a name longer than the file system allows
        raise ScenarioError(f"cannot read {path}: {err.strerror}") from None
    if not found:
        raise ScenarioError(f"{what} not found: {path}")
    if not plain:
        raise ScenarioError(f"not a file: {path} (give the path of a .yaml {what})")
    try:
        text = read_text(path)
        data = load_yaml(text)
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=str(path)) from None
    except OSError as err:
        raise ScenarioError(f"cannot read {path}: {err.strerror}") from None
    except Refused as err:
        raise ScenarioError(err.message, err.field, str(path)) from None
    except yaml.YAMLError as err:
        raise ScenarioError(yaml_problem(err), file=str(path)) from None
    if data is None and all(not line.strip() or line.lstrip().startswith("#")
                            for line in text.removeprefix("\ufeff").splitlines()):
        raise ScenarioError(f"the file is empty (nothing but blank lines or comments); a {what} holds settings, "
                            "lines like 'seed: 42'", file=str(path))
    if not isinstance(data, Mapping):
        raise ScenarioError(f"the file must hold a mapping of settings (lines like 'seed: 42'), got {kind(data)}; "
                            f"is it a {what}?", file=str(path))
    return dict(data)


def _check_scenario_keys(raw: Mapping, label: str) -> None:
    """Refuse a file none of whose keys is a scenario's setting, or close to one, without quoting it: it is not
    a scenario (an ``extends:`` or a spec may point at any file, ``/etc/shadow`` too), and its keys are its
    contents. A scenario with a typo keeps its "did you mean" from validation."""
    allowed = ("extends", *SCENARIO.fields)
    if raw and not any(isinstance(key, str) and (key in allowed or closest(key, allowed)) for key in raw):
        raise ScenarioError(f"not a scenario file: none of its {len(raw)} top-level key(s) is a setting "
                            f"(allowed: {', '.join(allowed)})", file=label)


def yaml_problem(err: yaml.YAMLError) -> str:
    """Where and what the YAML error is, without PyYAML's copy of the offending line (the file may not be
    the user's to see: a link, a system file)."""
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or "unreadable"
    if mark is None:
        return f"not valid YAML: {' '.join(str(err).split())}"
    message = f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and context_mark is not None:
        message += f" ({context} at line {context_mark.line + 1}, column {context_mark.column + 1})"
    if "'\\t'" in problem:
        message += "; indent with spaces, not tabs"
    return message


def _merge(base: Mapping, over: Mapping, spec: Node | None = SCENARIO) -> dict:
    """Deep merge without touching either input: mappings merge key by key, other values replace.

    A setting that is one value in the schema (a ``schedule`` mapping of dates) is replaced whole: a
    scenario that gives a schedule gives all of it. Below a key the schema lacks (``spec`` None) every
    mapping merges; validation reports the key.
    """
    result = dict(base)
    if isinstance(spec, MapOf) and spec.aliases:
        over = _by_key(over, spec)
    for key, value in over.items():
        sub = None if spec is None else child(spec, key)
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping) and not isinstance(sub, Field):
            result[key] = _merge(result[key], value, sub)
        else:
            result[key] = value
    return result


def _by_key(data: Mapping, spec: MapOf) -> dict:
    """``data`` with each alias (a district's Chinese name) replaced by its key, so that a file or ``--set``
    giving ``平度`` replaces what its parent gives for ``pingdu``; both in one mapping are left to
    validation, which refuses them."""
    out: dict = {}
    for key, value in data.items():
        name = spec.key(key)
        out[key if name in out or name in data and name != key else name] = value
    return out


def _check_override_path(keys: list[str], merged: Mapping) -> None:
    """Refuse an override whose path runs through a single value (in the schema or the files).

    An unknown key is left to validation, which names it with the closest allowed key.
    """
    node: Any = merged
    for depth, key in enumerate(keys[:-1]):
        prefix = keys[: depth + 1]
        try:
            spec = resolve(SCENARIO, prefix)
        except PathError:
            spec = None
        node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(spec, Field) or (node is not None and not isinstance(node, Mapping)):
            raise ScenarioError(f"cannot set '{'.'.join(keys)}': '{'.'.join(prefix)}' is a single value, "
                                "not a group of settings", OVERRIDE)


def _origin(sources: list[tuple[str, Any]], field: str | None, default: str) -> str:
    """The label of the last source that gives ``field``; ``default`` when none does."""
    if field is None:
        return default
    keys = field.split(".")
    for label, raw in reversed(sources):
        node = raw
        for key in keys:
            match = [k for k in node if str(k) == key] if isinstance(node, Mapping) else []
            if not match:
                break
            node = node[match[-1]]
        else:
            return label
    return default
