"""The cases of issue 19 (hardening, round two) and the tests that reproduce them, group by group.

Each row names a reproduction from the issue and the test that runs it; the
test below fails when a listed test is renamed or removed, so the table stays
the index of what is covered. Groups not listed here are open (see the issue).
"""

from __future__ import annotations

import importlib

import pytest

#: (group, case from the issue, "module::test").
CASES: list[tuple[int, str, str]] = [
    (1, "SERVICE behind long strings, \\u escapes, comments, prefixes: CLI refuses, 0 requests",
     "test_hardening_serve::test_cli_refuses_every_bypass_and_fetches_nothing"),
    (1, "the same bypasses by form POST, direct POST and GET to wbsec serve: 403/400, 0 requests",
     "test_hardening_serve::test_server_refuses_every_bypass_by_every_method"),
    (1, "PREFIX : <...> ... :from / :service and SERVICE inside strings are answered",
     "test_hardening_serve::test_server_answers_the_lookalikes"),
    (1, "form-encoded POST with Origin: https://evil.example is refused",
     "test_hardening_serve::test_cross_site_form_post_is_refused"),
    (3, "no open Oxigraph port: the public port is the only listener",
     "test_hardening_serve::test_the_only_open_port_is_the_public_one"),
    (3, "the query page is read from an Oxigraph in a network of its own",
     "test_hardening_serve::test_the_query_page_is_read_without_opening_a_port_here"),
    (5, "a query that outgrows 1 GiB in a serve worker gets 503",
     "test_hardening_serve::test_a_query_that_outgrows_its_memory_gets_503_and_the_server_goes_on"),
    (5, "query memory is capped on files in memory",
     "test_hardening_limits::test_query_memory_is_capped"),
    (3, "workers have no network (defence in depth)",
     "test_hardening_serve::test_a_worker_cannot_reach_a_listener_even_when_handed_service"),
    (2, "two concurrent wbsec load runs keep both files",
     "test_hardening_store::test_two_concurrent_loads_keep_both_files"),
    (2, "a second load waits for the lock and says so",
     "test_hardening_store::test_a_load_waits_for_the_lock_and_says_so"),
    (9, "_swap_in never leaves the path without a store",
     "test_hardening_store::test_the_swap_never_leaves_the_path_without_a_store"),
    (9, "a crash between the two renames is repaired",
     "test_hardening_store::test_a_crash_between_the_renames_is_repaired_by_the_next_run"),
    (9, "a killed load's .loading-* copy is removed by the next run",
     "test_hardening_store::test_a_killed_load_leaves_nothing_the_next_run_keeps"),
    (9, "--max-bytes does not apply to the shipped ontology",
     "test_hardening_store::test_max_bytes_applies_to_the_given_files_not_the_shipped_ones"),
    (9, "load warns about \"12,5\"^^xsd:decimal",
     "test_hardening_store::test_load_warns_about_ill_typed_literals_like_data_does"),
    (9, "SERVICE ?svc is reported as ?svc",
     "test_hardening_serve::test_service_variable_is_reported_as_a_variable"),
    (9, "stale .tmp-wbsec-* files of a killed write are removed by the next write",
     "test_hardening_io::test_stale_temporary_files_of_a_killed_write_are_removed"),
    (9, "an output path that is a dangling symlink is refused",
     "test_hardening_io::test_output_that_is_a_dangling_symlink_is_refused"),
    (4, "CSV rows sharing an id are refused, not merged",
     "test_hardening_csv::test_rows_sharing_an_id_with_different_names_are_refused"),
    (4, "rows differing in type: the message names the id, not '(same label)'",
     "test_hardening_csv::test_rows_sharing_an_id_with_different_types_name_the_id_not_the_label"),
    (5, "a backtracking REGEX cannot run past --timeout",
     "test_hardening_limits::test_a_backtracking_regex_cannot_run_away"),
    (5, "nested CONCAT: string results are capped",
     "test_hardening_limits::test_string_results_are_capped"),
    (5, "a long N-Triples literal parses in linear time",
     "test_hardening_io::test_a_long_n_triples_literal_parses_in_linear_time"),
    (5, "--endpoint answers have a total deadline",
     "test_hardening_serve::test_endpoint_answers_have_a_total_deadline"),
    (6, "URL or header over 64 KiB, >100 headers, garbage line, bad version, duplicate Host/Content-Length",
     "test_hardening_serve::test_malformed_requests_get_their_status"),
    (6, "slow headers are cut",
     "test_hardening_serve::test_slow_headers_are_cut_and_others_are_served"),
    (6, "SIGTERM during a query answers 503",
     "test_hardening_serve::test_sigterm_answers_a_running_query_with_503"),
    (7, "JSON-LD nested 3,000 deep: one line, exit 2",
     "test_hardening_io::test_json_ld_nested_3000_deep_is_an_input_error"),
    (7, "wbsec load on a read-only file system: exit 4",
     "test_hardening_store::test_read_only_file_system_is_exit_4"),
    (7, "--data http://...: exit 3",
     "test_hardening_io::test_data_given_as_a_url_is_a_policy_refusal"),
    (7, "-o somedir: exit 4",
     "test_hardening_io::test_output_that_is_a_directory_is_exit_4"),
    (8, "N-Triples export with U+2028, U+0085, \\v, \\f, \\x1c-\\x1e",
     "test_hardening_io::test_n_triples_export_keeps_unicode_line_separators"),
]


@pytest.mark.parametrize(("group", "case", "where"), CASES, ids=[c[2].split("::")[1] for c in CASES])
def test_every_case_of_the_issue_has_its_test(group: int, case: str, where: str) -> None:
    module, name = where.split("::")
    assert callable(getattr(importlib.import_module(f"tests.{module}"), name, None)), f"group {group}: {case}"


def test_every_group_has_a_case() -> None:
    assert sorted({g for g, _c, _w in CASES}) == list(range(1, 10))
