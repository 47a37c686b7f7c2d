"""Analysis profile: every threshold in one TOML, loaded once into a frozen object.

The default profile (``default_profile.toml`` beside this file) is also the schema:
each key line carries ``# unit | allowed range | source``. A clinician's TOML may
override any subset of keys; unknown keys and out-of-range values raise
:class:`~squatcheck.errors.ProfileError` with one sentence.

Sections are generic: any stage reads its own section, e.g.
``profile.section("reps")["min_depth_leg_lengths"]`` or ``profile.reps.min_depth_leg_lengths``.
Adding a section to the default TOML (with the comment format) is all a stage needs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import ProfileError

DEFAULT_PROFILE_PATH = Path(__file__).with_name("default_profile.toml")


@dataclass(frozen=True)
class ParamSpec:
    """What the default profile says about one key: unit, allowed values, source."""

    section: str
    key: str
    default: Any
    unit: str
    range_text: str
    source: str

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to the default's type, or raise ProfileError."""
        name = f"[{self.section}] {self.key}"
        kind = self.range_text.strip()
        if isinstance(self.default, bool) or kind == "bool":
            if not isinstance(value, bool):
                raise ProfileError(f"Profile key {name} must be true or false, not {value!r}.")
            return value
        if kind == "text":
            if not isinstance(value, str):
                raise ProfileError(f"Profile key {name} must be a quoted text, not {value!r}.")
            return value
        if ".." in kind:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProfileError(f"Profile key {name} must be a number ({self.unit}), "
                                   f"not {value!r}.")
            lo_text, hi_text = (part.strip() for part in kind.split("..", 1))
            lo = float(lo_text) if lo_text else float("-inf")
            hi = float(hi_text) if hi_text else float("inf")
            if not lo <= float(value) <= hi:
                raise ProfileError(f"Profile key {name} = {value} is outside its allowed range "
                                   f"{kind} {self.unit}.")
            if isinstance(self.default, int):
                if float(value) != int(value):
                    raise ProfileError(f"Profile key {name} must be a whole number, not {value}.")
                return int(value)
            return float(value)
        choices = [c.strip() for c in kind.split("/")]
        if value not in choices:
            raise ProfileError(f"Profile key {name} must be one of {', '.join(choices)}, "
                               f"not {value!r}.")
        return value


class Section(Mapping):
    """Read-only view of one profile section; keys by ``[]`` or as attributes."""

    def __init__(self, name: str, values: Mapping[str, Any]):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(f"profile section [{self._name}] has no key {key!r}") from None

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"profile section [{self._name}] has no key {key!r}") from None

    def __setattr__(self, key, value):
        raise AttributeError("profile sections are read-only")

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Section({self._name!r}, {dict(self._values)!r})"

    def __reduce__(self):
        return (Section, (self._name, dict(self._values)))


@dataclass(frozen=True)
class Profile:
    """All analysis thresholds, frozen. ``name`` is "default" or the override file's stem.

    ``overridden`` lists ``"section.key"`` entries that differ from the default.
    """

    name: str
    sections: Mapping[str, Section]
    specs: Mapping[str, Mapping[str, ParamSpec]] = field(repr=False)
    overridden: tuple[str, ...] = ()

    def section(self, name: str) -> Section:
        try:
            return self.sections[name]
        except KeyError:
            raise KeyError(f"the profile has no section [{name}]") from None

    def __getattr__(self, name: str) -> Section:
        if name.startswith("_") or name in ("name", "sections", "specs", "overridden"):
            raise AttributeError(name)
        try:
            return self.sections[name]
        except KeyError:
            raise AttributeError(f"the profile has no section [{name}]") from None

    def value(self, section: str, key: str) -> Any:
        return self.section(section)[key]

    def spec(self, section: str, key: str) -> ParamSpec:
        return self.specs[section][key]

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: dict(sec) for name, sec in self.sections.items()}

    def __reduce__(self):
        # Mapping proxies do not pickle; rebuild from plain values (batch workers need this).
        return (_rebuild_profile, (self.name, self.to_dict(), self.overridden))


def _rebuild_profile(name: str, values: dict, overridden: tuple[str, ...]) -> Profile:
    rebuilt = load_profile(overrides=values)
    return Profile(name, rebuilt.sections, rebuilt.specs, overridden)


def load_profile(path: str | Path | None = None, *,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Profile:
    """The default profile, with a clinician's TOML (``path``) and/or a dict laid over it.

    Raises ProfileError (one sentence) for a missing/unreadable file, bad TOML,
    unknown sections or keys, wrong types or values outside the allowed range.
    """
    base = default_profile()
    if path is None and not overrides:
        return base
    layers: list[tuple[str, Mapping]] = []
    name = "custom"
    if path is not None:
        path = Path(path)
        if not path.is_file():
            what = ("is a folder, not a TOML file" if path.is_dir() else
                    "is not a regular file" if path.exists() else "does not exist")
            raise ProfileError(f"Profile file {path} {what}; check the path.")
        try:
            layers.append((str(path), tomllib.loads(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"Profile file {path} cannot be read ({exc}).") from None
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"Profile file {path} is not valid TOML ({exc}); "
                               "compare it with analysis/default_profile.toml.") from None
        name = path.stem
    if overrides:
        layers.append(("overrides", overrides))
    values = base.to_dict()
    changed: list[str] = []
    for origin, layer in layers:
        for sec_name, sec in layer.items():
            if sec_name not in base.specs:
                raise ProfileError(f"Profile {origin} has an unknown section [{sec_name}]; "
                                   f"known sections: {', '.join(base.specs)}.")
            if not isinstance(sec, Mapping):
                raise ProfileError(f"Profile {origin}: [{sec_name}] must be a section of keys.")
            for key, value in sec.items():
                spec = base.specs[sec_name].get(key)
                if spec is None:
                    raise ProfileError(f"Profile {origin} sets an unknown key [{sec_name}] {key}; "
                                       f"known keys: {', '.join(base.specs[sec_name])}.")
                values[sec_name][key] = spec.check(value)
                changed.append(f"{sec_name}.{key}")
    _check_severity_order(values)
    return Profile(name, MappingProxyType({s: Section(s, v) for s, v in values.items()}),
                   base.specs, tuple(dict.fromkeys(changed)))


def _check_severity_order(values: dict[str, dict[str, Any]]) -> None:
    """``threshold_X <= moderate_X <= severe_X`` wherever a section grades severity."""
    for sec_name, sec in values.items():
        for key, value in sec.items():
            if not key.startswith("moderate_"):
                continue
            unit = key.removeprefix("moderate_")
            lo, hi = sec.get(f"threshold_{unit}"), sec.get(f"severe_{unit}")
            if (lo is not None and lo > value) or (hi is not None and value > hi):
                raise ProfileError(f"Profile section [{sec_name}] must keep threshold_{unit} <= "
                                   f"{key} <= severe_{unit} (got {lo}, {value}, {hi}).")


def as_profile(profile: Profile | str | Path | None) -> Profile:
    """Accept what edges pass around: None (default), a path, or a Profile."""
    if isinstance(profile, Profile):
        return profile
    return load_profile(profile)


@lru_cache(maxsize=1)
def default_profile() -> Profile:
    text = DEFAULT_PROFILE_PATH.read_text(encoding="utf-8")
    specs = parse_specs(text)
    values = tomllib.loads(text)
    sections = {}
    for sec_name, sec_specs in specs.items():
        sections[sec_name] = Section(sec_name, {k: s.check(values[sec_name][k])
                                                for k, s in sec_specs.items()})
    _check_severity_order({name: dict(sec) for name, sec in sections.items()})
    frozen_specs = MappingProxyType({s: MappingProxyType(v) for s, v in specs.items()})
    return Profile("default", MappingProxyType(sections), frozen_specs)


def parse_specs(text: str) -> dict[str, dict[str, ParamSpec]]:
    """Read ``# unit | range | source`` of every key line of the default profile.

    A key without that comment is a bug in the default profile (ValueError), so a
    threshold can never be added without its unit, range and source.
    """
    values = tomllib.loads(text)
    specs: dict[str, dict[str, ParamSpec]] = {}
    section = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[] ")
            specs[section] = {}
            continue
        code, comment = _split_comment(line)
        key = code.split("=", 1)[0].strip()
        parts = [p.strip() for p in comment.split("|", 2)] if comment else []
        if section is None or len(parts) != 3 or not all(parts):
            raise ValueError(f"default profile line {lineno}: key {key!r} needs a trailing "
                             "'# unit | range | source' comment")
        specs[section][key] = ParamSpec(section, key, values[section][key], *parts)
    return specs


def _split_comment(line: str) -> tuple[str, str]:
    """Split a TOML line at the first ``#`` outside a quoted string."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i], line[i + 1:]
    return line, ""
