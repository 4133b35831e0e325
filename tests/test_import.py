"""Spreadsheet import and CSV export: layouts, references, merging, provenance, round trips and every refusal."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.cli import main
from graph.cli.import_ import KINDS_HELP
from graph.namespaces import PROV, QB, RDF, RDFS, SCHEMA, WB, WBO, XSD
from graph.store import load_graph, parse_file
from graph.tabular import (
    EXAMPLES_DIR,
    ImportRejected,
    ImportResult,
    export_csv,
    export_rows,
    import_csv,
    kind_names,
    layout,
    layouts_markdown,
    slugify,
    template,
)
from tests.conftest import DATA

FIXTURES = DATA / "import"
CONTEXT = FIXTURES / "context.ttl"
KINDS = kind_names()
COOP_HEADER = "party_a,party_b,agreement_count,status,source,locator"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def fresh(*args: str | Path) -> Result:
    """Import against the small context only, so rows become new resources."""
    return invoke("import", *args, "--no-shipped", "--data", CONTEXT)


def write(tmp_path: Path, text: str, name: str = "mine.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def without_import_provenance(g: Graph) -> Graph:
    """The imported facts alone: drop the file entity, the activity and the links to it."""
    out = Graph()
    generated = {o for o in g.objects(None, PROV.wasGeneratedBy)}
    files = {o for a in generated for o in g.objects(a, PROV.used)}
    for s, p, o in g:
        if p == PROV.wasGeneratedBy or s in generated or s in files:
            continue
        out.add((s, p, o))
    return out


@cache
def example_import(kind: str) -> ImportResult:
    """The example of ``kind`` imported against the curated data (once per test run)."""
    return import_csv([EXAMPLES_DIR / f"{kind}.csv"], kind)


@cache
def shipped() -> Graph:
    return load_graph()


def turtle(result: Result) -> Graph:
    return Graph().parse(data=result.stdout, format="turtle")


# ---------------------------------------------------------------------------
# Layouts, templates and documentation
# ---------------------------------------------------------------------------


def test_every_kind_of_the_issue_has_a_layout() -> None:
    assert KINDS == ["sources", "actors", "affiliations", "cooperation", "agreements", "events", "statements",
                     "observations"]
    for kind in KINDS:
        spec = layout(kind)
        assert spec.header[0] == "id"
        assert (kind == "sources") != ("source" in spec.header and spec.column("source").required)


def test_import_help_lists_every_kind() -> None:
    assert KINDS_HELP == ", ".join(KINDS[:-1]) + " or " + KINDS[-1]
    result = invoke("import", "--help")
    assert result.exit_code == 0
    for kind in KINDS:
        assert kind in result.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_template_is_the_header_and_the_first_example_row_without_its_id(kind: str) -> None:
    result = invoke("import", "--template", kind)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(layout(kind).header)
    assert len(lines) == 2 and lines[1].startswith(",")
    assert template(kind, example=False) == lines[0] + "\n"


def test_describe_lists_columns_and_allowed_codes() -> None:
    result = invoke("import", "--describe", "cooperation")
    assert result.exit_code == 0
    assert "| `party_a` | yes | reference to a polity | `wbo:party` |" in result.stdout
    assert "Codes: AgreementsSigned, NoProgress, StrongCooperation." in result.stdout


def test_examples_readme_documents_the_declared_layouts() -> None:
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    marker = "tests/test_import.py checks it. -->\n\n"
    assert readme.split(marker, 1)[1] == layouts_markdown(), (
        "regenerate the layout tables: python -c 'from graph.tabular import layouts_markdown; print(layouts_markdown())'"
    )


def test_unknown_kind_is_refused_with_the_list() -> None:
    result = invoke("import", FIXTURES / "actors.csv", "--kind", "people")
    assert result.exit_code == 2
    assert "unknown kind 'people'; use one of: sources, actors," in result.stderr


# ---------------------------------------------------------------------------
# The examples: real curated facts that import, validate and export back
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_example_imports_and_exports_back_to_the_same_rows(kind: str, tmp_path: Path) -> None:
    example = EXAMPLES_DIR / f"{kind}.csv"
    out = tmp_path / f"{kind}.ttl"
    result = invoke("import", example, "--kind", kind, "--output", out)
    assert result.exit_code == 0, result.output
    back = invoke("export", "--format", "csv", "--kind", kind, "--no-shipped", "--data", out)
    assert back.exit_code == 0, back.output
    assert back.stdout == example.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_example_imports_to_data_that_validates_with_the_curated_data(tmp_path: Path) -> None:
    """One SHACL run over every kind's import (each run over the curated data takes seconds)."""
    files: list[str | Path] = []
    for kind in KINDS:
        out = tmp_path / f"{kind}.ttl"
        assert invoke("import", EXAMPLES_DIR / f"{kind}.csv", "--kind", kind, "--output", out).exit_code == 0, kind
        files += ["--data", out]
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", KINDS)
def test_examples_restate_the_curated_facts(kind: str) -> None:
    result = example_import(kind)
    assert [r.status for r in result.rows] == ["merged"] * len(result.rows)
    facts = without_import_provenance(result.graph)
    added = [t for t in facts if t not in shipped()]
    if kind == "actors":  # the shipped actors carry no source; the example rows give theirs
        assert {p for _s, p, _o in added} == {PROV.wasDerivedFrom, WBO.locator, WBO.evidence}
    else:
        assert added == []


@pytest.mark.parametrize("kind", KINDS)
def test_example_csv_rdf_csv_rdf_round_trip_is_isomorphic(kind: str) -> None:
    first = example_import(kind).graph
    second = import_csv_text(export_csv(first, kind), kind)
    assert isomorphic(first, second)  # same bytes, same sha256: even the import provenance is identical


def import_csv_text(text: str, kind: str) -> Graph:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        return import_csv([path], kind).graph


# ---------------------------------------------------------------------------
# New rows: ids, references, round trip, idempotence, provenance
# ---------------------------------------------------------------------------


def test_new_rows_get_slug_ids_under_wb() -> None:
    result = fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation")
    assert result.exit_code == 0, result.output
    g = turtle(result)
    claims = sorted(str(s) for s in g.subjects(None, WBO.BilateralCooperation))
    assert claims == [str(WB[f"coop-{pair}-euractiv-2023-tirana-panel"]) for pair in ("al-xk", "me-xk", "mk-xk", "rs-xk")]
    assert "4 new, 0 merged" in result.stderr


def test_person_ids_drop_diacritics() -> None:
    result = fresh(FIXTURES / "actors.csv", "--kind", "actors")
    assert result.exit_code == 0, result.output
    g = turtle(result)
    assert {s for s in g.subjects(PROV.wasDerivedFrom, None)} == {WB["josip-brkic"], WB["sonja-stojanovic-gajic"]}


def test_slugify_transliterates() -> None:
    assert slugify("Xhelal Sveçla") == "xhelal-svecla"
    assert slugify("Đorđe Ђорђевић, Zvečan") == "dorde-dordevic-zvecan"  # both scripts give one slug
    assert slugify("SecurityCooperation") == "security-cooperation"


def test_every_way_of_naming_a_polity_resolves_to_it() -> None:
    g = turtle(fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation"))
    # rows name Kosovo as "Kosovo", "XK", "Q1246" and "kosova"; Albania by full IRI; Serbia by Q403
    for pair in ("al-xk", "me-xk", "mk-xk", "rs-xk"):
        parties = set(g.objects(WB[f"coop-{pair}-euractiv-2023-tirana-panel"], WBO.party))
        assert parties == {WB[pair[:2].upper()], WB["XK"]}
    assert (WB["coop-mk-xk-euractiv-2023-tirana-panel"], PROV.wasAttributedTo, WB["xhelal-svecla"]) in g
    assert (WB["coop-me-xk-euractiv-2023-tirana-panel"], WBO.cooperationStatus, WBO.AgreementsSigned) in g


def test_csv_rdf_csv_rdf_round_trip_of_new_rows_is_isomorphic(tmp_path: Path) -> None:
    first_ttl = tmp_path / "first.ttl"
    assert fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation", "--output", first_ttl).exit_code == 0
    exported = invoke("export", "--kind", "cooperation", "--no-shipped", "--data", CONTEXT, "--data", first_ttl)
    assert exported.exit_code == 0
    again = write(tmp_path, exported.stdout, "again.csv")
    second_ttl = tmp_path / "second.ttl"
    assert fresh(again, "--kind", "cooperation", "--output", second_ttl).exit_code == 0
    first, second = parse_file(first_ttl), parse_file(second_ttl)
    assert isomorphic(without_import_provenance(first), without_import_provenance(second))
    # the exported CSV is canonical: exporting the second import gives the same text
    third = invoke("export", "--kind", "cooperation", "--no-shipped", "--data", CONTEXT, "--data", second_ttl)
    assert third.stdout == exported.stdout
    assert exported.stdout.splitlines()[1].startswith(",,wb:AL,wb:XK,26,AgreementsSigned|StrongCooperation,")


def test_importing_the_same_file_twice_gives_the_same_bytes() -> None:
    one = fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation")
    two = fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout


def test_reimporting_on_top_of_the_first_import_changes_nothing(tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    assert fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation", "--output", first).exit_code == 0
    again = fresh(FIXTURES / "cooperation.csv", "--kind", "cooperation", "--data", first)
    assert again.exit_code == 0, again.output
    assert "0 new, 4 merged" in again.stderr
    assert isomorphic(turtle(again), parse_file(first))
    merged = load_graph([CONTEXT, first], shipped=False)
    before = len(merged)
    for t in turtle(again):
        merged.add(t)
    assert len(merged) == before


def test_import_records_the_file_with_sha256_and_size_but_no_time() -> None:
    path = FIXTURES / "cooperation.csv"
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    g = import_csv([path], "cooperation", data=[CONTEXT], shipped=False).graph
    entity = WB[f"csv-{digest[:16]}"]
    assert (entity, SCHEMA.sha256, Literal(digest)) in g
    assert (entity, SCHEMA.contentSize, Literal(len(data), datatype=XSD.integer)) in g
    assert (entity, SCHEMA.name, Literal("cooperation.csv")) in g
    activity = WB[f"import-cooperation-{digest[:16]}"]
    assert (activity, PROV.used, entity) in g
    assert len(set(g.subjects(PROV.wasGeneratedBy, activity))) == 4
    assert not [o for o in g.objects() if isinstance(o, Literal) and o.datatype in (XSD.dateTime, XSD.date)]


def test_rows_of_the_same_import_can_refer_to_each_other(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,type,label,part_of,source,locator\n"
        ",organisation,Ministry of Foreign Affairs of Bosnia and Herzegovina,wb:government-ba,wb:euractiv-2023-tirana-panel,para. 15\n"
        "government-ba,organisation,Government of Bosnia and Herzegovina,,wb:euractiv-2023-tirana-panel,para. 15\n",
    )
    result = fresh(path, "--kind", "actors")
    assert result.exit_code == 0, result.output
    g = turtle(result)
    ministry = WB["ministry-of-foreign-affairs-of-bosnia-and-herzegovina"]
    assert (ministry, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), WB["government-ba"]) in g


def test_sources_from_a_sources_csv_can_be_cited_through_data(tmp_path: Path) -> None:
    sources = tmp_path / "sources.ttl"
    result = fresh(FIXTURES / "sources.csv", "--kind", "sources", "--output", sources)
    assert result.exit_code == 0, result.output
    g = parse_file(sources)
    paper = WB["the-future-is-cooperative-perceptions-and-reality-from"]
    asb = WB["albanian-security-barometer-national-survey-2022"]
    assert (paper, RDF.type, WBO.Source) in g  # the type column's default for a new source
    assert (asb, RDF.type, WBO.Survey) in g
    figures = fresh(FIXTURES / "observations.csv", "--kind", "observations", "--data", sources)
    assert figures.exit_code == 0, figures.output
    obs = turtle(figures)
    (figure,) = set(obs.subjects(RDF.type, QB.Observation))
    assert str(figure) == str(WB["obs-albanian-security-barometer-national-survey-2022-al-2022-threat-8173b189"])
    assert len(str(figure)) - len(str(WB)) <= 80
    assert (figure, PROV.wasDerivedFrom, paper) in obs and (figure, PROV.hadPrimarySource, asb) in obs
    assert (figure, WBO.percentage, Literal("66.8", datatype=XSD.decimal)) in obs


def test_a_row_without_type_merges_into_a_survey_without_contradiction(tmp_path: Path) -> None:
    path = write(tmp_path, "title,issued\nAlbanian Security Barometer: National Survey 2022,2022\n")
    result = invoke("import", path, "--kind", "sources")
    assert result.exit_code == 0, result.output
    assert "same as wb:asb-2022 (ontology/data/sources.ttl)" in result.stderr
    assert (WB["asb-2022"], RDF.type, WBO.Source) not in turtle(result)


def test_a_row_repeated_in_the_same_file_is_one_resource(tmp_path: Path) -> None:
    row = "XK,MK,14,,wb:euractiv-2023-tirana-panel,para. 12\n"
    path = write(tmp_path, f"{COOP_HEADER}\n{row}{row}")
    result = fresh(path, "--kind", "cooperation")
    assert result.exit_code == 0, result.output
    assert "1 new, 1 merged" in result.stderr and f"line 3: same as wb:coop-mk-xk-euractiv-2023-tirana-panel ({path}:2)" in result.stderr
    assert len(set(turtle(result).subjects(RDF.type, WBO.BilateralCooperation))) == 1


def test_merged_rows_are_reported_with_the_file_they_merge_into(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nKosovo,North Macedonia,14,,wb:euractiv-2023-tirana-panel,para. 12\n")
    result = invoke("import", path, "--kind", "cooperation")
    assert result.exit_code == 0, result.output
    assert "line 2: same as wb:coop-xk-mk-security (ontology/data/cooperation.ttl)" in result.stderr
    assert (WB["coop-xk-mk-security"], WBO.agreementCount, Literal("14", datatype=XSD.nonNegativeInteger)) in turtle(result)


# ---------------------------------------------------------------------------
# Refusals: message names file, line and column; exit code; nothing written
# ---------------------------------------------------------------------------


def refused(tmp_path: Path, args: list[str | Path], code: int = 2) -> str:
    out = tmp_path / "out.ttl"
    out.write_bytes(b"previous content\n")
    result = invoke("import", *args, "--output", out)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert out.read_bytes() == b"previous content\n", "the output file must be left as it was"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    return result.stderr


def test_contradiction_with_a_curated_fact_names_both(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nKosovo,North Macedonia,15,,wb:euractiv-2023-tirana-panel,para. 12\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'agreement_count': contradicts wb:coop-xk-mk-security" in err
    assert "in ontology/data/cooperation.ttl, which says '14' where this row says '15'" in err


def test_contradiction_between_two_rows_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nAL,ME,3,,wb:euractiv-2023-tirana-panel,\nME,Albania,4,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation", "--no-shipped", "--data", CONTEXT])
    assert f"{path}:3: column 'agreement_count': contradicts line 2 of {path}, which says '3' where this row says '4'" in err


def test_file_that_is_not_utf8_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes(f"{COOP_HEADER}\nXK,MK,14,,Sveçla,\n".encode("cp1252"))
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: not UTF-8 (byte 0xe7" in err
    assert "save it as 'CSV UTF-8 (comma delimited)'" in err


def test_utf8_byte_order_mark_is_accepted() -> None:
    result = fresh(FIXTURES / "bom.csv", "--kind", "cooperation")
    assert result.exit_code == 0, result.output
    assert (WB["coop-mk-xk-euractiv-2023-tirana-panel"], WBO.agreementCount, None) in turtle(result)


def test_semicolon_delimiter_is_refused_unless_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path, "party_a;party_b;agreement_count;source\nXK;MK;14;wb:euractiv-2023-tirana-panel\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:1: the columns are separated by ';', not commas: pass --delimiter ';'" in err
    assert fresh(path, "--kind", "cooperation", "--delimiter", "semicolon").exit_code == 0
    excel = write(tmp_path, "sep=;\n" + path.read_text(), "excel.csv")
    assert fresh(excel, "--kind", "cooperation").exit_code == 0


def test_decimal_comma_is_refused_never_read_as_a_bigger_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "survey,area,period,indicator,percentage,source\n"
        'wb:asb-2022,AL,2022,ThreatPerception,"63,1",wb:fes-2023-future-is-cooperative\n',
    )
    err = refused(tmp_path, [path, "--kind", "observations"])
    assert f"{path}:2: column 'percentage': '63,1' uses a decimal comma: write 63.1 with a decimal point" in err


def test_decimal_comma_in_a_count_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f'{COOP_HEADER}\nXK,MK,"12,5",,wb:euractiv-2023-tirana-panel,\n')
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'agreement_count': '12,5' is not a whole number" in err


def test_percent_sign_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "survey,area,period,indicator,percentage,source\n"
        "wb:asb-2022,AL,2022,ThreatPerception,45%,wb:fes-2023-future-is-cooperative\n",
    )
    err = refused(tmp_path, [path, "--kind", "observations"])
    assert f"{path}:2: column 'percentage': '45%': write the number without the % sign (45)" in err


def test_duplicate_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "party_a,party_b,source,Source\nXK,MK,wb:euractiv-2023-tirana-panel,x\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:1: column 'source': duplicate column: columns 3 and 4 are both named 'source'" in err


def test_missing_required_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "party_a,party_b,agreement_count\nXK,MK,14\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:1: missing required column(s) source" in err


def test_unknown_column_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "party_a,party_b,agreement_cout,source\nXK,MK,14,wb:euractiv-2023-tirana-panel\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:1: column 'agreement_cout': unknown column; did you mean 'agreement_count'?" in err


def test_required_cell_left_empty_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nXK,,14,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'party_b': required, but empty" in err


def test_blank_rows_are_skipped_and_reported_and_line_numbers_stay_true(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\n\n,,,,,\nXK,MK,14,,wb:euractiv-2023-tirana-panel,\n\nXK,ME,x,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation", "--no-shipped", "--data", CONTEXT])
    assert f"{path}:6: column 'agreement_count': 'x' is not a whole number" in err
    ok = write(tmp_path, f"{COOP_HEADER}\n\nXK,MK,14,,wb:euractiv-2023-tirana-panel,\n\n", "ok.csv")
    result = fresh(ok, "--kind", "cooperation")
    assert result.exit_code == 0
    assert f"Warning: {ok}: skipped blank lines 2, 4" in result.stderr


def test_too_many_cells_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nXK,MK,14,,wb:euractiv-2023-tirana-panel,para. 12,extra\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: 7 cells but the header has 6 columns" in err


def test_formula_cells_are_stored_as_plain_text(tmp_path: Path) -> None:
    path = FIXTURES / "formula.csv"
    result = fresh(path, "--kind", "cooperation")
    assert result.exit_code == 0, result.output
    g = turtle(result)
    claim = WB["coop-mk-xk-euractiv-2023-tirana-panel"]
    assert set(g.objects(claim, WBO.locator)) == {Literal('=HYPERLINK("https://example.org/report#para-12";"para. 12")')}
    assert set(g.objects(claim, RDFS.comment)) == {Literal("+ 14 agreements, @ the panel", lang="en")}


def test_export_quotes_formula_cells_and_import_reads_them_back_exactly(tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    assert fresh(FIXTURES / "formula.csv", "--kind", "cooperation", "--output", first).exit_code == 0
    exported = invoke("export", "--kind", "cooperation", "--no-shipped", "--data", CONTEXT, "--data", first).stdout
    row = exported.splitlines()[1]
    assert '"\'=HYPERLINK(""https://example.org/report#para-12"";""para. 12"")"' in row
    assert "'+ 14 agreements, @ the panel" in row
    again = write(tmp_path, exported, "again.csv")
    second = tmp_path / "second.ttl"
    assert fresh(again, "--kind", "cooperation", "--output", second).exit_code == 0
    assert isomorphic(without_import_provenance(parse_file(first)), without_import_provenance(parse_file(second)))


def test_javascript_scheme_is_refused_by_policy(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\njavascript:alert(1),MK,14,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"], code=3)
    assert (f"{path}:2: column 'party_a': 'javascript:alert(1)' looks like an IRI with the scheme 'javascript', "
            "which is not allowed") in err


def test_url_column_takes_only_web_addresses(tmp_path: Path) -> None:
    path = write(tmp_path, "title,url\nA report,file:///etc/passwd\nAnother report,ftp://example.org/x\n")
    err = refused(tmp_path, [path, "--kind", "sources"], code=3)
    assert f"{path}:2: column 'url': 'file:///etc/passwd' looks like an IRI with the scheme 'file'" in err
    assert f"{path}:3: column 'url': 'ftp://example.org/x' looks like an IRI with the scheme 'ftp'" in err


def test_url_with_a_space_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "title,url\nA report,https://example.org/a report\n")
    err = refused(tmp_path, [path, "--kind", "sources"])
    assert f"{path}:2: column 'url': 'https://example.org/a report' contains a space: write it as %20" in err


def test_id_cell_is_never_turned_into_an_arbitrary_iri(tmp_path: Path) -> None:
    path = write(tmp_path, "id,type,label,source\nmy actor,person,A Person,wb:euractiv-2023-tirana-panel\n")
    err = refused(tmp_path, [path, "--kind", "actors"])
    assert f"{path}:2: column 'id': 'my actor' is not an id: use letters, digits and '-' only, e.g. my-actor" in err


def test_unknown_reference_suggests_close_matches(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nKosovo,Macedonia,14,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'party_b': unknown polity 'Macedonia'; did you mean wb:MK (North Macedonia)" in err


def test_reference_of_the_wrong_kind_says_what_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nAL,NATO,3,,Euractiv,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'party_b': 'NATO' is wb:NATO (North Atlantic Treaty Organization)" in err
    assert "not a polity" in err
    assert (f"{path}:2: column 'source': 'Euractiv' is wb:euractiv (Euractiv), an actor and formal organization, "
            "not a source or survey; did you mean wb:euractiv-2023-tirana-panel") in err


def test_ambiguous_reference_lists_the_candidates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "speaker,stance,about,part_of,source\n"
        "Taulant Balla,Supports,wb:eu-enlargement,\"Civil Society Forum, Tirana 2023\",wb:euractiv-2023-tirana-panel\n",
    )
    err = refused(tmp_path, [path, "--kind", "statements"])
    assert f"{path}:2: column 'part_of': 'Civil Society Forum, Tirana 2023' is ambiguous: it names " in err
    assert "wb:civil-society-forum-tirana-2023 (" in err and "wb:wbcsf-2023-civil-society-forum-tirana (" in err
    assert "write the id" in err


def test_shape_violations_name_the_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nXK,MK,,,wb:euractiv-2023-tirana-panel,para. 12\n")
    err = refused(tmp_path, [path, "--kind", "cooperation", "--no-shipped", "--data", CONTEXT])
    assert f"{path}:2: This bilateral cooperation does not say what the source reports" in err
    assert "wbo:agreementCount (column agreement_count)" in err
    assert "[shape wbsh:BilateralCooperationOutcomeShape]" in err


def test_one_party_twice_is_caught_by_the_shapes(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nXK,Kosovo,3,,wb:euractiv-2023-tirana-panel,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation", "--no-shipped", "--data", CONTEXT])
    assert f"{path}:2: column 'party_a/party_b': A bilateral cooperation needs exactly two different parties" in err


def test_several_problems_are_all_listed_with_a_summary(tmp_path: Path) -> None:
    path = write(tmp_path, f"{COOP_HEADER}\nXK,MK,x,,wb:euractiv-2023-tirana-panel,\nXK,ME,9,Progress,nowhere,\n")
    err = refused(tmp_path, [path, "--kind", "cooperation"])
    assert f"{path}:2: column 'agreement_count'" in err
    assert f"{path}:3: column 'status': 'Progress' is not in wbo:CooperationStatusScheme; allowed: AgreementsSigned," in err
    assert f"{path}:3: column 'source': unknown source or survey 'nowhere'" in err
    assert f"Error: 3 problems in {path} (lines 2, 3); nothing written" in err


def test_workbooks_and_utf16_are_refused_with_a_hint(tmp_path: Path) -> None:
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    assert "not CSV: save it as 'CSV UTF-8" in refused(tmp_path, [xlsx, "--kind", "actors"])
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("party_a,party_b\n".encode("utf-16"))
    assert "the file is UTF-16" in refused(tmp_path, [utf16, "--kind", "cooperation"])


def test_library_raises_with_every_problem() -> None:
    with pytest.raises(ImportRejected) as info:
        import_csv([FIXTURES / "cooperation.csv"], "cooperation", shipped=False)  # no polities loaded
    assert info.value.exit_code == 2
    assert {p.column for p in info.value.problems} >= {"party_a", "party_b", "source"}
    assert all(p.line >= 2 for p in info.value.problems)


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def test_export_kind_is_deterministic_and_covers_the_curated_claims() -> None:
    one = invoke("export", "--format", "csv", "--kind", "cooperation")
    two = invoke("export", "--kind", "cooperation")
    assert one.exit_code == 0 and one.stdout == two.stdout
    ids = [line.split(",", 1)[0] for line in one.stdout.splitlines()[1:]]
    curated = {str(s)[len(str(WB)):] for s in shipped().subjects(RDF.type, WBO.BilateralCooperation)}
    assert len(ids) == len(set(ids)) and set(ids) == curated  # every claim once, each with its id
    assert {"coop-al-xk-security", "coop-xk-me-security", "coop-xk-mk-security", "coop-xk-rs-security"} <= curated


def test_export_kind_refuses_other_formats_and_views() -> None:
    result = invoke("export", "--format", "ttl", "--kind", "actors")
    assert result.exit_code == 2
    assert "--kind writes spreadsheet rows: use it with --format csv" in result.stderr


def test_export_kind_writes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "actors.csv"
    result = invoke("export", "--format", "csv", "--kind", "actors", "--output", out)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("id,type,label,alt_labels,name,wikidata,")
    assert f"Wrote {out}" in result.stderr


# ---------------------------------------------------------------------------
# Round trip of the curated data, spreadsheets through --data, ids in any script
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.slow
def test_the_export_of_the_curated_data_imports_back_for_every_kind(kind: str, tmp_path: Path) -> None:
    """Edit the curated rows in a spreadsheet and bring them back: rows that restate a resource need no new source."""
    path = tmp_path / f"{kind}.csv"
    path.write_text(export_csv(shipped(), kind), encoding="utf-8")
    result = import_csv([path], kind)
    assert result.rows and {r.status for r in result.rows} == {"merged"}
    assert len({r.subject for r in result.rows}) == len(result.rows)


def test_two_curated_resources_with_one_label_are_exported_with_their_ids(tmp_path: Path) -> None:
    g = load_graph([write(tmp_path, """@prefix wb: <https://w3id.org/wbsec/id/> . @prefix wbo: <https://w3id.org/wbsec/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
wb:twin-a a wbo:Actor ; skos:prefLabel "Twin Body"@en .
wb:twin-body a wbo:Actor ; skos:prefLabel "Twin Body"@en .
""", "twins.ttl")], shipped=False)
    rows = [r for r in export_rows(g, "actors") if r[2] == "Twin Body"]
    assert sorted(r[0] for r in rows) == ["twin-a", "twin-body"]


def test_a_new_row_still_needs_its_source(tmp_path: Path) -> None:
    path = write(tmp_path, "type,label,source\nperson,Someone New,\n")
    with pytest.raises(ImportRejected, match="column 'source': required, but empty"):
        import_csv([path], "actors")


@pytest.mark.slow
def test_sources_and_actors_csv_files_are_accepted_by_data(tmp_path: Path) -> None:
    sources = write(tmp_path, "title,issued\nA brand-new report on border police (2024),2024\n", "my-sources.csv")
    actors = write(tmp_path, "type,label,source\norganisation,Border Police Liaison Office,"
                             "A brand-new report on border police (2024)\n", "my-actors.csv")
    coop = write(tmp_path, "member,organization,role,source\nwb:AL,Border Police Liaison Office,member,"
                           "A brand-new report on border police (2024)\n", "aff.csv")
    result = invoke("import", coop, "--kind", "affiliations", "--data", sources, "--data", actors)
    assert result.exit_code == 0, result.output
    assert "unknown file ending" not in result.output
    other = write(tmp_path, COOP_HEADER + "\n", "coop.csv")
    refused = CliRunner().invoke(main, ["import", str(coop), "--kind", "affiliations", "--data", str(other)])
    assert refused.exit_code == 2 and "must be a sources or actors spreadsheet" in refused.stderr


@pytest.mark.parametrize("name,slug", [("Ελευθέριος Βενιζέλος", "eleytherios-venizelos"), ("习近平", "xijinping"),
                                       ("محمد", "mhmd"), ("Марко Марковић", "marko-markovic")])
def test_names_in_any_script_get_an_id(name: str, slug: str, tmp_path: Path) -> None:
    assert slugify(name) == slug
    path = write(tmp_path, f"type,label,source\nperson,{name},wb:euractiv-2023-tirana-panel\n")
    [row] = import_csv([path], "actors").rows
    assert row.subject == str(WB[slug]) and row.status == "new"


def test_the_same_instrument_through_two_templates_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "label,date,participants,source\n"
                           "Albania–Kosovo agreement in the field of customs (2009),2009-10-06,wb:AL|wb:XK,"
                           "wb:euractiv-2023-tirana-panel\n")
    result = import_csv([path], "events")
    assert [w.split(": ", 1)[1] for w in result.warnings] == [
        "wb:agr-al-xk-customs-2009 (Albania–Kosovo agreement in the field of customs (2009)) has the same name but "
        "is not one of the events; if both are one instrument entered through two templates, keep one row (its "
        "kinds can be several), else rename one"]
    cli = invoke("import", path, "--kind", "events")
    assert cli.exit_code == 0 and "Warning: " in cli.stderr and "two templates" in cli.stderr
