"""Read and check the settings of the cooperation-gap analysis (``ontology/gaps.toml`` plus a user file)."""

from __future__ import annotations

import copy
import math
import re
import tomllib
from collections.abc import Callable, Mapping
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
    kind, fits = _KINDS[type(expected)]
    if not fits(expected, value, key):
        raise InputError(f"{path}: {key} must be {kind}, not {value!r}")
    return float(value) if isinstance(expected, float) else value  # type: ignore[arg-type]


def _fits_string(_expected: object, value: object, key: str) -> bool:
    """A string; for ``[normalisation] reference`` (a name like "p90", or a count) a number too."""
    return isinstance(value, str) or (key == "[normalisation] reference" and _is_number(value))


def _fits_list(expected: object, value: object, _key: str) -> bool:
    """A list of strings where ``expected`` lists strings, of numbers where it does not (an empty list fits both)."""
    if not isinstance(value, list) or not isinstance(expected, list):
        return False
    strings = all(isinstance(v, str) for v in value)
    return all(isinstance(v, str) for v in expected) == strings and (strings or all(_is_number(v) for v in value))


#: What a user's value must be, by the type of the shipped value it replaces: how the error message names that
#: kind, and whether ``value`` fits (given the shipped value and the key).
_KINDS: dict[type, tuple[str, Callable[[object, object, str], bool]]] = {
    bool: ("true or false", lambda _expected, value, _key: isinstance(value, bool)),
    float: ("a number", lambda _expected, value, _key: _is_number(value)),
    int: ("a whole number", lambda _expected, value, _key: isinstance(value, int) and not isinstance(value, bool)),
    str: ("a string", _fits_string),
    list: ("a list", _fits_list),
}


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
    """The merged settings ``raw``, checked, as a :class:`GapConfig`; errors name ``where`` and the key."""
    specs, weights = _components(raw, where)
    role_weights = _role_weights(raw, where)
    friction_weight = _number(raw["score"]["friction_weight"], "[score] friction_weight", where, -math.inf)
    method, alternatives, reference = _normalisation(raw["normalisation"], where)
    status = raw["status"]
    no_progress = _number(status["no_progress"], "[status] no_progress", where, 0.0, 1.0)
    unc = raw["uncertainty"]
    draws = _count(unc["draws"], "[uncertainty] draws", where)
    width = _count(raw["map"]["max_interval_width"], "[map] max_interval_width", where)
    method_s, limit, min_shared = _suggestions(raw["suggestions"], where)

    def concepts(section: str, key: str) -> tuple[str, ...]:
        return tuple(_concept(name, where, f"[{section}] {key}") for name in raw[section][key])

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
        no_progress_range=_interval(status["no_progress_range"], "[status] no_progress_range", where, no_progress,
                                    0.0, 1.0),
        multilateral_discount=_choice(raw["instruments"]["multilateral_discount"], DISCOUNTS, where,
                                      "[instruments] multilateral_discount"),
        bridging=tuple(_prefixed(n, where, "[external] bridging") for n in raw["external"]["bridging"]),
        draws=draws,
        seed=int(unc["seed"]),
        interval=_number(unc["interval"], "[uncertainty] interval", where, 0.0, 1.0),
        map_min_gap=_number(raw["map"]["min_gap"], "[map] min_gap", where, -1.0, 2.0),
        map_max_interval_width=width,
    )


def _components(raw: dict[str, Any], where: str) -> tuple[list[ComponentSpec], dict[str, dict[str, float]]]:
    """The components of the three aggregates, checked, in declared order, and each aggregate's weights by name.

    Each component needs a function name, a weight of 0 or more and a weight range containing the weight (the
    weight alone when no range is given); each aggregate needs a weight above 0.
    """
    specs: list[ComponentSpec] = []
    weights: dict[str, dict[str, float]] = {}
    for aggregate in AGGREGATES:
        weights[aggregate] = {}
        for name, entry in raw[aggregate].items():
            spec = _component(aggregate, name, entry, where)
            specs.append(spec)
            weights[aggregate][name] = spec.weight
        if sum(weights[aggregate].values()) <= 0:
            raise InputError(f"{where}: [{aggregate}] needs at least one weight above 0")
    return specs, weights


def _component(aggregate: str, name: str, entry: object, where: str) -> ComponentSpec:
    """The table ``[AGGREGATE.NAME]`` checked: a function name, a weight, a weight range containing it."""
    key = f"[{aggregate}.{name}]"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: {key} must be a table with function, weight and weight_range")
    function = entry.get("function")
    if not isinstance(function, str) or not function:
        raise InputError(f"{where}: {key} function must be the name of a component function")
    w = _number(entry.get("weight"), f"{key} weight", where)
    rng = _interval(entry.get("weight_range", [w, w]), f"{key} weight_range", where, w)
    return ComponentSpec(aggregate, name, function, w, rng)


def _role_weights(raw: dict[str, Any], where: str) -> dict[str, float]:
    """``[roles]``: the IRI of each role (a term of the ontology) and how much it counts, between 0 and 1."""
    role_weights: dict[str, float] = {}
    for name, value in raw["roles"].items():
        role_weights[_concept(name, where, "[roles]")] = _number(value, f"[roles] {name}", where, 0.0, 1.0)
    return role_weights


def _normalisation(norm: dict[str, Any], where: str) -> tuple[str, tuple[str, ...], str | float]:
    """``[normalisation]`` checked: the method, its alternatives (at least one) and the reference.

    The reference is "max", "pNN" (a percentile, p1 to p100) or a number above 0.
    """
    method = _choice(norm["method"], NORMALISATIONS, where, "[normalisation] method")
    alternatives = tuple(_choice(m, NORMALISATIONS, where, "[normalisation] alternatives") for m in norm["alternatives"])
    if not alternatives:
        raise InputError(f"{where}: [normalisation] alternatives needs at least one method")
    reference = norm["reference"]
    if _is_number(reference):
        reference = _number(reference, "[normalisation] reference", where, 1e-9)
    elif reference != "max" and not re.fullmatch(r"p(100|[1-9][0-9]?)", str(reference)):
        raise InputError(f"{where}: [normalisation] reference must be \"max\", \"pNN\" (a percentile, p1 to p100) "
                         f"or a number above 0, not {reference!r}")
    return method, alternatives, reference


def _suggestions(section: dict[str, Any], where: str) -> tuple[str, int, int]:
    """``[suggestions]`` checked: the similarity method, the limit and the minimum of shared affiliations."""
    method = _choice(section["method"], SUGGESTION_METHODS, where, "[suggestions] method")
    limit = int(section["limit"])
    min_shared = int(section["min_shared_affiliations"])
    if limit < 0 or min_shared < 0:
        raise InputError(f"{where}: [suggestions] limit and min_shared_affiliations must be 0 or more")
    return method, limit, min_shared


def _number(value: object, key: str, where: str, low: float = 0.0, high: float = math.inf) -> float:
    """``value`` as a float if it is a finite number between ``low`` and ``high`` (inclusive)."""
    if not _is_number(value) or not math.isfinite(float(value)) or not low <= float(value) <= high:  # type: ignore[arg-type]
        bound = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g}"
        raise InputError(f"{where}: {key} must be a finite number {bound}, not {value!r}")
    return float(value)  # type: ignore[arg-type]


def _interval(value: object, key: str, where: str, contains: float, low: float = 0.0, high: float = math.inf
              ) -> tuple[float, float]:
    """``value`` as (low, high) if it is a list of two numbers within ``low`` and ``high`` around ``contains``."""
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"{where}: {key} must be a list of two numbers [low, high], not {value!r}")
    lo, hi = _number(value[0], key, where, low, high), _number(value[1], key, where, low, high)
    if not lo <= contains <= hi:
        raise InputError(f"{where}: {key} = [{lo:g}, {hi:g}] must contain the value {contains:g}")
    return lo, hi


def _count(value: object, key: str, where: str) -> int:
    """``value`` as a whole number of 0 or more."""
    count = int(value)  # type: ignore[call-overload]
    if count < 0:
        raise InputError(f"{where}: {key} must be 0 or more, not {count}")
    return count


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
