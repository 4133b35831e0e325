"""No function in graph/ is above cyclomatic complexity 20 (radon's measure)."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit

LIMIT = 20
PACKAGE = Path(__file__).resolve().parent.parent / "graph"


def _over_limit(source: str) -> list[tuple[str, int]]:
    """(qualified name, complexity) of every function or method of ``source`` above the limit, closures included."""
    found: list[tuple[str, int]] = []
    blocks = list(cc_visit(source))
    while blocks:
        block = blocks.pop()
        blocks.extend(getattr(block, "closures", []))
        if getattr(block, "letter", "F") == "C":  # a class: its methods are listed on their own
            continue
        if block.complexity > LIMIT:
            found.append((block.fullname, block.complexity))
    return found


def test_no_function_is_above_the_complexity_limit() -> None:
    over = sorted(f"{path.relative_to(PACKAGE.parent).as_posix()}: {name} ({cc})"
                  for path in sorted(PACKAGE.rglob("*.py"))
                  for name, cc in _over_limit(path.read_text(encoding="utf-8")))
    assert not over, f"split these functions (cyclomatic complexity above {LIMIT}): {over}"


def test_the_measure_sees_methods_and_nested_functions() -> None:
    # A method of a class and a function nested in another are measured on their own, so neither can hide.
    branches = "".join(f"if x == {i}:\n    return {i}\n" for i in range(LIMIT + 1))

    def indented(text: str, depth: int) -> str:
        return "".join(" " * depth + line + "\n" for line in text.splitlines())

    method = "class A:\n    def m(self, x):\n" + indented(branches, 8)
    nested = "def outer():\n    def inner(x):\n" + indented(branches, 8) + "    return inner\n"
    assert [name for name, _cc in _over_limit(method)] == ["A.m"]
    assert [name for name, _cc in _over_limit(nested)] == ["inner"]
    assert _over_limit("def small(x):\n" + indented(branches.split("if x == 19")[0], 4)) == []
