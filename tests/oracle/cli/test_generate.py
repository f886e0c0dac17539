"""The ``generate`` subcommand (oracle/generate.py).

The CLI does not list it yet (the lead adds ``oracle.cli.generate`` to ``SUBCOMMAND_MODULES``), so
the tests register it on their own parser, exactly as ``oracle.cli.app.build_parser`` will.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from oracle.cli import app as cli
from oracle.diff import Status
from oracle.cli.generate import cmd_generate, parse_versions, register
from oracle.parser.raw import text_to_binary
from oracle.parser.version import Version

from _strategies_support import both


def run(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="gotrace-oracle")
    register(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    try:
        return int(args.func(args))
    except cli.UsageError:
        return cli.EXIT_USAGE


def test_parse_versions() -> None:
    assert parse_versions("26,1.22,go1.25") == [Version.Go126, Version.Go122, Version.Go125]
    for bad in ("21", "1.24", "x", ""):
        with pytest.raises(ValueError):
            parse_versions(bad)


def test_generate_valid_files(tmp_path: Path, go_helper) -> None:  # type: ignore[no-untyped-def]
    assert run(["generate", "--count", "6", "--out", str(tmp_path), "--seed", "3", "-q"]) == 0
    entries = [json.loads(x) for x in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert len(entries) == 6
    for e in entries:
        data = (tmp_path / e["trace"]).read_bytes()
        py, go, c = both(go_helper, data)
        assert go.status is Status.ACCEPTED and c.agree and e["expect"] == "success"
        if e["text"]:
            text = (tmp_path / e["text"]).read_text()
            py2, _, _ = both(go_helper, text_to_binary(text))
            assert py2.records == py.records


def test_generate_is_reproducible_and_mutates(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert run(["generate", "--count", "5", "--out", str(d), "--mutated", "--version", "26", "-q"]) == 0
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for p in a.glob("*.trace"):
        assert p.read_bytes() == (b / p.name).read_bytes()
    entries = [json.loads(x) for x in (a / "manifest.jsonl").read_text().splitlines()]
    assert all(e["mutations"] and e["version"] == "1.26" for e in entries)


@pytest.mark.parametrize("argv", [["--count", "-1"], ["--version", "1.21"], ["--max-events", "-5"]])
def test_usage_errors(tmp_path: Path, argv: list[str]) -> None:
    assert run(["generate", "--out", str(tmp_path / "o"), *argv]) == cli.EXIT_USAGE


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    assert run(["generate", "--out", str(f), "--count", "1"]) == cli.EXIT_USAGE
    assert cmd_generate  # exported for the CLI
