"""Tests for oracle.parser.txtar: Go's txtar parsing rules and the trace test-file expectations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.parser.errors import TraceError
from oracle.parser.raw import parse_text
from oracle.parser.txtar import (
    Archive,
    Expectation,
    File,
    format_archive,
    parse,
    parse_expectation,
    read_test_file,
)
from tests.conftest import go_test_files


def test_parse_basic() -> None:
    a = parse(b"comment\nmore\n-- a.txt --\nhello\n-- b --\nworld")
    assert a == Archive(b"comment\nmore\n", (File("a.txt", b"hello\n"), File("b", b"world\n")))


def test_only_last_section_gets_a_newline() -> None:
    # The text before a marker is kept as is; fixNL applies only where no marker follows.
    a = parse(b"-- a --\nx\n-- b --\ny")
    assert a.files == (File("a", b"x\n"), File("b", b"y\n"))
    assert parse(b"c").comment == b"c\n"
    assert parse(b"").comment == b""
    assert parse(b"-- a --").files == (File("a", b""),)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (b"-- a --", "a"),
        (b"--   spaced name \t --", "spaced name"),
        (b"--  --", ""),  # empty name: not a marker
        (b"-- --", ""),  # too short: the ends overlap
        (b"--a --", ""),
        (b"-- a--", ""),
        (b"-- a -- ", ""),
        (b"-- \xc2\xa0a\xc2\xa0 --", "a"),  # TrimSpace is Unicode-aware
        (b"-- a --\r", ""),  # a CR before the newline spoils the marker
    ],
)
def test_marker_lines(line: bytes, name: str) -> None:
    a = parse(b"c\n" + line + b"\nbody\n")
    if name:
        assert a.comment == b"c\n"
        assert a.files == (File(name, b"body\n"),)
    else:
        assert a.files == ()
        assert a.comment == b"c\n" + line + b"\nbody\n"


def test_marker_must_start_a_line() -> None:
    a = parse(b"x -- a --\n-- b --\n")
    assert a.comment == b"x -- a --\n"
    assert a.files == (File("b", b""),)


@given(
    st.binary(max_size=30).filter(lambda b: b"-- " not in b),
    st.lists(
        st.tuples(
            st.text(st.characters(codec="ascii", exclude_characters="\n\r"), min_size=1, max_size=8)
            .map(str.strip)
            .filter(lambda s: s != "" and "--" not in s),
            st.binary(max_size=30).filter(lambda b: b"-- " not in b),
        ),
        max_size=4,
    ),
)
def test_format_parse_round_trip(comment: bytes, files: list[tuple[str, bytes]]) -> None:
    a = Archive(comment, tuple(File(n, d) for n, d in files))
    b = parse(format_archive(a))
    assert b.comment == (comment if not comment or comment.endswith(b"\n") else comment + b"\n")
    assert [f.name for f in b.files] == [n for n, _ in files]
    for f, (_, d) in zip(b.files, files):
        assert f.data == (d if not d or d.endswith(b"\n") else d + b"\n")


# --- Expectations ------------------------------------------------------------------------------


def test_parse_expectation_success() -> None:
    assert parse_expectation(b"SUCCESS\n") == Expectation()
    assert parse_expectation(b"SUCCESS and more words\n") == Expectation()
    assert parse_expectation(b"") == Expectation()  # no line at all: success
    assert parse_expectation(b"SUCCESS\r\nignored") == Expectation()


def test_parse_expectation_failure() -> None:
    exp = parse_expectation(b'FAILURE ".*expected a proc but didn\'t have one.*"\n')
    assert exp == Expectation(failure=True, pattern=".*expected a proc but didn't have one.*")
    assert exp.check("broken trace: expected a proc but didn't have one, at ...")
    assert not exp.check("something else")
    assert not exp.check(None)
    assert parse_expectation(b"FAILURE `a\\(b`").pattern == "a\\(b"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\n", 'bad header line: ""'),
        (b"success\n", 'bad header line: "success"'),
        (b"SUCCESS\tx\n", 'bad header line: "SUCCESS\\tx"'),
        (b"FAILURE\n", 'bad header line for FAILURE: "FAILURE"'),
        (b"FAILURE x\n", "malformed pattern: not correctly quoted: x: invalid syntax"),
        (b'FAILURE "a" \n', 'malformed pattern: not correctly quoted: "a" : invalid syntax'),
    ],
)
def test_parse_expectation_errors(data: bytes, message: str) -> None:
    with pytest.raises(TraceError) as info:
        parse_expectation(data)
    assert info.value.message == message


def test_parse_expectation_bad_regexp() -> None:
    with pytest.raises(TraceError, match=r"^malformed pattern: not a valid regexp: a\(: "):
        parse_expectation(b'FAILURE "a("')


def test_expectation_check_messages() -> None:
    ok = Expectation()
    assert ok.check_error(None) is None
    assert ok.check_error("boom") == "unexpected error while reading the trace: boom"
    fail = Expectation(failure=True, pattern="x+y")
    assert fail.check_error(None) == (
        'expected error while reading the trace: want something matching "x+y", got none'
    )
    assert fail.check_error("zz") == (
        'unexpected error while reading the trace: want something matching "x+y", got zz'
    )
    assert fail.check_error("a xxy b") is None  # unanchored, like MatchString


# --- Go's test files ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", go_test_files(), ids=lambda p: p.stem)
def test_read_go_test_file(path: Path) -> None:
    exp, text = read_test_file(path)
    version, events = parse_text(text)
    assert events
    assert exp.failure == (exp.pattern is not None)
    if "expected a proc" in path.read_text():
        assert exp.failure


def test_go_test_files_expectations() -> None:
    kinds = [read_test_file(p)[0].failure for p in go_test_files()]
    assert len(kinds) == 22
    assert kinds.count(True) == 2


def test_read_test_file_structure_errors(tmp_path: Path) -> None:
    p = tmp_path / "x.test"
    p.write_bytes(b"-- expect --\nSUCCESS\n")
    with pytest.raises(TraceError, match=r"^malformed test .*x\.test: wrong number of files$"):
        read_test_file(p)
    p.write_bytes(b"-- expected --\nSUCCESS\n-- trace --\nTrace Go1.22\n")
    with pytest.raises(TraceError, match=r"bad filename expected$"):
        read_test_file(p)
    p.write_bytes(b"-- expect --\nSUCCESS\n-- traces --\nTrace Go1.22\n")
    with pytest.raises(TraceError, match=r"bad filename traces$"):
        read_test_file(p)
    p.write_bytes(b"-- expect --\nMAYBE\n-- trace --\nTrace Go1.22\n")
    with pytest.raises(TraceError) as info:
        read_test_file(p)
    assert info.value.message == (
        f'internal error during {p}: failed to parse expectation "MAYBE\\n": bad header line: "MAYBE"'
    )
