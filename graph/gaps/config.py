"""Read and check the settings of the cooperation-gap analysis (``ontology/gaps.toml`` plus a user file)."""

from __future__ import annotations

import copy
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.namespaces import PREFIXES, WBO
from graph.relations import cooperation_relations
from graph.store import ONTOLOGY_DIR

#: The shipped settings; a user file passed to :func:`load_config` overrides single keys.
DEFAULT_CONFIG = ONTOLOGY_DIR / "gaps.toml"

#: The three weighted means the method builds; each is a TOML section of component tables.
AGGREGATES = ("actual", "demand", "friction")
NORMALISATIONS = ("minmax", "log", "rank")
DISCOUNTS = ("inverse_partners", "inverse_pairs", "one")
SUGGESTION_METHODS = ("jaccard", "adamic_adar")
_COMPONENT_KEYS = ("function", "weight", "weight_range")


@dataclass(frozen=True)
class ComponentSpec:
    """One component as the config declares it: which aggregate, its name, the function and its weights.

    ``weight_range`` is the interval the uncertainty analysis draws the weight
    from; it contains ``weight``.
    """

    aggregate: str
    name: str
    function: str
    weight: float
    weight_range: tuple[float, float]


@dataclass(frozen=True)
class GapConfig:
    """The weights and choices of the analysis, read from a TOML file (see ``ontology/gaps.toml``).

    ``actual``, ``demand`` and ``friction`` map each component name to its
    weight (in declared order); ``components`` has the full declarations.
    ``role_weights`` maps role IRIs to how much an affiliation in that role
    counts; ``roles`` are the roles with a weight above 0.
    """

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
    components: tuple[ComponentSpec, ...] = ()
    role_weights: Mapping[str, float] | None = None
    normalisation: str = "minmax"
    reference: str | float = "p90"
    normalisation_alternatives: tuple[str, ...] = NORMALISATIONS
    no_progress: float = 0.05
    no_progress_range: tuple[float, float] = (0.0, 0.15)
    multilateral_discount: str = "inverse_partners"
    bridging: tuple[str, ...] = ()
    draws: int = 1000
    seed: int = 14
    interval: float = 0.9
    map_min_gap: float = 0.25
    map_max_interval_width: int = 5

    def weights(self, aggregate: str) -> Mapping[str, float]:
        """The component weights of ``aggregate`` (``actual``, ``demand`` or ``friction``)."""
        return {"actual": self.actual, "demand": self.demand, "friction": self.friction}[aggregate]

    def role_weight(self, role: str | None) -> float:
        """How much an affiliation in ``role`` (an IRI) counts; 0 for a role the config does not weigh."""
        return 0.0 if role is None else float((self.role_weights or {}).get(role, 0.0))


def load_config(path: str | Path | None = None) -> GapConfig:
    """Read the shipped settings, then let the TOML file at ``path`` override single keys.

    Unknown sections or keys, wrong types, negative weights, all-zero weights,
    and concept names the ontology does not
    have raise :class:`InputError` naming the file and the key.
    """
    base = _read_toml(DEFAULT_CONFIG)
    # the ties of cooperation are declared with the relations (``cooperation = true``), unless gaps.toml lists its own
    base.setdefault("external", {}).setdefault("relations", list(cooperation_relations()))
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


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _merge(base: dict[str, Any], user: dict[str, Any], path: Path) -> None:
    for section, values in user.items():
        if section not in base:
            raise InputError(f"{path}: unknown section [{section}]; known: {', '.join(sorted(base))}")
        if not isinstance(values, dict):
            raise InputError(f"{path}: {section} must be a table ([{section}])")
        if section in AGGREGATES:
            _merge_components(base[section], values, section, path)
            continue
        for key, value in values.items():
            if key not in base[section]:
                known = ", ".join(sorted(base[section]))
                raise InputError(f"{path}: unknown key {key!r} in [{section}]; known: {known}")
            base[section][key] = _checked(base[section][key], value, f"[{section}] {key}", path)


def _checked(expected: object, value: object, key: str, path: Path) -> object:
    """``value`` if it has the type of ``expected`` (numbers and strings may stand for each other where allowed)."""
    ok = (
        (isinstance(expected, bool) and isinstance(value, bool))
        or (isinstance(expected, float) and _is_number(value))
        or (isinstance(expected, int) and not isinstance(expected, bool) and isinstance(value, int)
            and not isinstance(value, bool))
        or (isinstance(expected, str) and (isinstance(value, str) or (key == "[normalisation] reference"
                                                                       and _is_number(value))))
        or (isinstance(expected, list) and isinstance(value, list)
            and all(isinstance(v, str) for v in expected) == all(isinstance(v, str) for v in value)
            and (all(isinstance(v, str) for v in value) or all(_is_number(v) for v in value)))
    )
    if not ok:
        kind = {bool: "true or false", float: "a number", int: "a whole number", str: "a string",
                list: "a list"}[type(expected)]
        raise InputError(f"{path}: {key} must be {kind}, not {value!r}")
    return float(value) if isinstance(expected, float) else value  # type: ignore[arg-type]


def _merge_components(base: dict[str, Any], user: dict[str, Any], section: str, path: Path) -> None:
    """Merge ``[actual]``-style sections: a number sets a weight, a table changes or adds a component."""
    for name, value in user.items():
        key = f"[{section}] {name}"
        if _is_number(value):
            if name not in base:
                raise InputError(f"{path}: unknown key {name!r} in [{section}]; known: {', '.join(base)} "
                                 f"(a new component needs a table [{section}.{name}] with a function)")
            # a weight the user sets is fixed: the uncertainty analysis does not vary it
            base[name] = {**base[name], "weight": float(value), "weight_range": [float(value), float(value)]}
            continue
        if not isinstance(value, dict):
            raise InputError(f"{path}: {key} must be a weight or a table [{section}.{name}]")
        entry = copy.deepcopy(base.get(name, {}))
        for k, v in value.items():
            if k not in _COMPONENT_KEYS:
                raise InputError(f"{path}: unknown key {k!r} in [{section}.{name}]; known: {', '.join(_COMPONENT_KEYS)}")
            entry[k] = v
        if "weight" in value and "weight_range" not in value and _is_number(value["weight"]):
            entry["weight_range"] = [float(value["weight"])] * 2
        if "function" not in entry or "weight" not in entry:
            raise InputError(f"{path}: [{section}.{name}] needs a function and a weight")
        base[name] = entry


def _build_config(raw: dict[str, Any], where: str, files: tuple[str, ...]) -> GapConfig:
    def number(value: object, key: str, low: float = 0.0, high: float = math.inf) -> float:
        if not _is_number(value) or not math.isfinite(float(value)) or not low <= float(value) <= high:  # type: ignore[arg-type]
            bound = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g}"
            raise InputError(f"{where}: {key} must be a finite number {bound}, not {value!r}")
        return float(value)  # type: ignore[arg-type]

    def interval(value: object, key: str, contains: float, low: float = 0.0, high: float = math.inf
                 ) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            raise InputError(f"{where}: {key} must be a list of two numbers [low, high], not {value!r}")
        lo, hi = number(value[0], key, low, high), number(value[1], key, low, high)
        if not lo <= contains <= hi:
            raise InputError(f"{where}: {key} = [{lo:g}, {hi:g}] must contain the value {contains:g}")
        return lo, hi

    specs: list[ComponentSpec] = []
    weights: dict[str, dict[str, float]] = {}
    for aggregate in AGGREGATES:
        table = raw[aggregate]
        weights[aggregate] = {}
        for name, entry in table.items():
            key = f"[{aggregate}.{name}]"
            if not isinstance(entry, dict):
                raise InputError(f"{where}: {key} must be a table with function, weight and weight_range")
            function = entry.get("function")
            if not isinstance(function, str) or not function:
                raise InputError(f"{where}: {key} function must be the name of a component function")
            w = number(entry.get("weight"), f"{key} weight")
            rng = interval(entry.get("weight_range", [w, w]), f"{key} weight_range", w)
            specs.append(ComponentSpec(aggregate, name, function, w, rng))
            weights[aggregate][name] = w
        if sum(weights[aggregate].values()) <= 0:
            raise InputError(f"{where}: [{aggregate}] needs at least one weight above 0")

    def concepts(section: str, key: str) -> tuple[str, ...]:
        out = []
        for name in raw[section][key]:
            out.append(_concept(name, where, f"[{section}] {key}"))
        return tuple(out)

    role_weights: dict[str, float] = {}
    for name, value in raw["roles"].items():
        role_weights[_concept(name, where, "[roles]")] = number(value, f"[roles] {name}", 0.0, 1.0)
    friction_weight = number(raw["score"]["friction_weight"], "[score] friction_weight", -math.inf)
    norm = raw["normalisation"]
    method = _choice(norm["method"], NORMALISATIONS, where, "[normalisation] method")
    alternatives = tuple(_choice(m, NORMALISATIONS, where, "[normalisation] alternatives") for m in norm["alternatives"])
    if not alternatives:
        raise InputError(f"{where}: [normalisation] alternatives needs at least one method")
    reference = norm["reference"]
    if _is_number(reference):
        reference = number(reference, "[normalisation] reference", 1e-9)
    elif reference != "max" and not re.fullmatch(r"p(100|[1-9][0-9]?)", str(reference)):
        raise InputError(f"{where}: [normalisation] reference must be \"max\", \"pNN\" (a percentile, p1 to p100) "
                         f"or a number above 0, not {reference!r}")
    status = raw["status"]
    no_progress = number(status["no_progress"], "[status] no_progress", 0.0, 1.0)
    unc = raw["uncertainty"]
    draws = int(unc["draws"])
    if draws < 0:
        raise InputError(f"{where}: [uncertainty] draws must be 0 or more, not {draws}")
    width = int(raw["map"]["max_interval_width"])
    if width < 0:
        raise InputError(f"{where}: [map] max_interval_width must be 0 or more, not {width}")
    method_s = _choice(raw["suggestions"]["method"], SUGGESTION_METHODS, where, "[suggestions] method")
    limit = int(raw["suggestions"]["limit"])
    min_shared = int(raw["suggestions"]["min_shared_affiliations"])
    if limit < 0 or min_shared < 0:
        raise InputError(f"{where}: [suggestions] limit and min_shared_affiliations must be 0 or more")
    return GapConfig(
        actual=weights["actual"],
        demand=weights["demand"],
        friction=weights["friction"],
        friction_weight=friction_weight,
        cooperating_statuses=concepts("status", "cooperating"),
        absent_statuses=concepts("status", "absent"),
        roles=tuple(r for r, w in role_weights.items() if w > 0),
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
        extra_outside=tuple(_prefixed(n, where, "[external] extra_outside") for n in raw["external"]["extra_outside"]),
        suggestion_method=method_s,
        min_shared_affiliations=min_shared,
        require_shared_threat=bool(raw["suggestions"]["require_shared_threat"]),
        suggestion_limit=limit,
        files=files,
        components=tuple(specs),
        role_weights=role_weights,
        normalisation=method,
        reference=reference,
        normalisation_alternatives=alternatives,
        no_progress=no_progress,
        no_progress_range=interval(status["no_progress_range"], "[status] no_progress_range", no_progress, 0.0, 1.0),
        multilateral_discount=_choice(raw["instruments"]["multilateral_discount"], DISCOUNTS, where,
                                      "[instruments] multilateral_discount"),
        bridging=tuple(_prefixed(n, where, "[external] bridging") for n in raw["external"]["bridging"]),
        draws=draws,
        seed=int(unc["seed"]),
        interval=number(unc["interval"], "[uncertainty] interval", 0.0, 1.0),
        map_min_gap=number(raw["map"]["min_gap"], "[map] min_gap", -1.0, 2.0),
        map_max_interval_width=width,
    )


def _choice(value: object, allowed: tuple[str, ...], where: str, key: str) -> str:
    if value not in allowed:
        raise InputError(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _concept(name: str, where: str, key: str) -> str:
    try:
        return str(getattr(WBO, name))
    except AttributeError:
        raise InputError(f"{where}: {key}: {name!r} is not a term of the wbsec ontology") from None


def _prefixed(name: str, where: str, key: str) -> str:
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and local and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if name.startswith(("http://", "https://")):
        return name
    raise InputError(f"{where}: {key}: {name!r} is not a prefixed name (wb:EU) or an http(s) IRI")
