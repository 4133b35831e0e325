"""Read and check the settings of the cooperation-gap analysis (``ontology/gaps.toml`` plus a user file)."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.namespaces import WBO
from graph.store import ONTOLOGY_DIR

#: The shipped settings; a user file passed to :func:`load_config` overrides single keys.
DEFAULT_CONFIG = ONTOLOGY_DIR / "gaps.toml"

ACTUAL_COMPONENTS = ("bilateral_agreements", "shared_affiliations", "shared_agreements", "positive_statements")
DEMAND_COMPONENTS = ("public_support", "shared_threats")
FRICTION_COMPONENTS = ("threat_perception", "unfavourable_opinion", "accusations")
SUGGESTION_METHODS = ("jaccard", "adamic_adar")


@dataclass(frozen=True)
class GapConfig:
    """The weights and choices of the analysis, read from a TOML file (see ``ontology/gaps.toml``)."""

    actual: Mapping[str, float]
    demand: Mapping[str, float]
    friction: Mapping[str, float]
    friction_weight: float
    cooperating_statuses: tuple[str, ...]
    absent_statuses: tuple[str, ...]
    roles: tuple[str, ...]
    pair_support_indicators: tuple[str, ...]
    support_indicators: tuple[str, ...]
    threat_indicators: tuple[str, ...]
    need_indicators: tuple[str, ...]
    unfavourable_indicators: tuple[str, ...]
    initiative_support_indicators: tuple[str, ...]
    positive_stances: tuple[str, ...]
    solidarity_stances: tuple[str, ...]
    hostile_stances: tuple[str, ...]
    external_relations: tuple[str, ...]
    multilateral_agreements_as_hub: bool
    extra_outside: tuple[str, ...]
    suggestion_method: str
    min_shared_affiliations: int
    require_shared_threat: bool
    suggestion_limit: int
    files: tuple[str, ...] = ()


def load_config(path: str | Path | None = None) -> GapConfig:
    """Read the shipped settings, then let the TOML file at ``path`` override single keys.

    Unknown sections or keys, wrong types, negative weights, all-zero weights
    and concept names the ontology does not have raise :class:`InputError`
    naming the file and the key.
    """
    base = _read_toml(DEFAULT_CONFIG)
    files = ["ontology/gaps.toml"]
    if path is not None:
        user = _read_toml(Path(path))
        _merge(base, user, Path(path))
        files.append(str(path))
    where = str(path) if path is not None else str(DEFAULT_CONFIG)
    return _build_config(base, where, tuple(files))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the config file ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error ({exc})") from exc


def _merge(base: dict[str, Any], user: dict[str, Any], path: Path) -> None:
    for section, values in user.items():
        if section not in base:
            raise InputError(f"{path}: unknown section [{section}]; known: {', '.join(sorted(base))}")
        if not isinstance(values, dict):
            raise InputError(f"{path}: {section} must be a table ([{section}])")
        for key, value in values.items():
            if key not in base[section]:
                known = ", ".join(sorted(base[section]))
                raise InputError(f"{path}: unknown key {key!r} in [{section}]; known: {known}")
            expected = base[section][key]
            ok = (
                (isinstance(expected, bool) and isinstance(value, bool))
                or (isinstance(expected, float) and isinstance(value, (int, float)) and not isinstance(value, bool))
                or (isinstance(expected, int) and not isinstance(expected, bool) and isinstance(value, int)
                    and not isinstance(value, bool))
                or (isinstance(expected, str) and isinstance(value, str))
                or (isinstance(expected, list) and isinstance(value, list) and all(isinstance(v, str) for v in value))
            )
            if not ok:
                kind = {bool: "true or false", float: "a number", int: "a whole number", str: "a string",
                        list: "a list of strings"}[type(expected)]
                raise InputError(f"{path}: [{section}] {key} must be {kind}, not {value!r}")
            base[section][key] = float(value) if isinstance(expected, float) else value


def _build_config(raw: dict[str, Any], where: str, files: tuple[str, ...]) -> GapConfig:
    def weights(section: str, names: Sequence[str]) -> dict[str, float]:
        table = raw[section]
        out: dict[str, float] = {}
        for name in names:
            w = float(table[name])
            if not math.isfinite(w) or w < 0:
                raise InputError(f"{where}: [{section}] {name} must be a finite number >= 0, not {table[name]!r}")
            out[name] = w
        if sum(out.values()) <= 0:
            raise InputError(f"{where}: [{section}] needs at least one weight above 0")
        return out

    def concepts(section: str, key: str) -> tuple[str, ...]:
        out = []
        for name in raw[section][key]:
            try:
                out.append(str(getattr(WBO, name)))
            except AttributeError:
                raise InputError(f"{where}: [{section}] {key}: {name!r} is not a term of the wbsec ontology") from None
        return tuple(out)

    friction_weight = float(raw["score"]["friction_weight"])
    if not math.isfinite(friction_weight):
        raise InputError(f"{where}: [score] friction_weight must be a finite number")
    method = raw["suggestions"]["method"]
    if method not in SUGGESTION_METHODS:
        raise InputError(f"{where}: [suggestions] method must be one of {', '.join(SUGGESTION_METHODS)}, not {method!r}")
    limit = int(raw["suggestions"]["limit"])
    min_shared = int(raw["suggestions"]["min_shared_affiliations"])
    if limit < 0 or min_shared < 0:
        raise InputError(f"{where}: [suggestions] limit and min_shared_affiliations must be 0 or more")
    return GapConfig(
        actual=weights("actual", ACTUAL_COMPONENTS),
        demand=weights("demand", DEMAND_COMPONENTS),
        friction=weights("friction", FRICTION_COMPONENTS),
        friction_weight=friction_weight,
        cooperating_statuses=concepts("status", "cooperating"),
        absent_statuses=concepts("status", "absent"),
        roles=concepts("affiliation", "roles"),
        pair_support_indicators=concepts("indicators", "pair_support"),
        support_indicators=concepts("indicators", "support"),
        threat_indicators=concepts("indicators", "threat"),
        need_indicators=concepts("indicators", "need"),
        unfavourable_indicators=concepts("indicators", "unfavourable"),
        initiative_support_indicators=concepts("indicators", "initiative_support"),
        positive_stances=concepts("stances", "positive"),
        solidarity_stances=concepts("stances", "solidarity"),
        hostile_stances=concepts("stances", "hostile"),
        external_relations=tuple(raw["external"]["relations"]),
        multilateral_agreements_as_hub=bool(raw["external"]["multilateral_agreements_as_hub"]),
        extra_outside=tuple(_prefixed(name, where, "[external] extra_outside") for name in raw["external"]["extra_outside"]),
        suggestion_method=method,
        min_shared_affiliations=min_shared,
        require_shared_threat=bool(raw["suggestions"]["require_shared_threat"]),
        suggestion_limit=limit,
        files=files,
    )


def _prefixed(name: str, where: str, key: str) -> str:
    from graph.namespaces import PREFIXES

    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and local and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if name.startswith(("http://", "https://")):
        return name
    raise InputError(f"{where}: {key}: {name!r} is not a prefixed name (wb:EU) or an http(s) IRI")

