"""Go-ready exports (oracle/campaign/export.py, ``gotrace-oracle export``): the files are what
Go's own test machinery reads, and Go's own tests, run with them added, reproduce the findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oracle.campaign.export import (
    ExportError,
    ExportSource,
    go_fuzz_seed,
    go_quote_meta,
    go_test_file,
    load_source,
    reference_expectation,
)
from oracle.campaign.findings import KNOWN_GO_SIGNATURES
from oracle.cli.app import main
from oracle.harness import toolchain
from oracle.harness.gotest import golden_test_name, run_trace_tests
from oracle.parser.inputs import load, load_bytes
from oracle.parser.txtar import read_test_bytes

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"
EXPORT = ROOT / "corpus" / "go-export"
SEED = sorted((ROOT / "corpus" / "seeds").glob("generated-*.trace"))[0]
#: The open Go findings of docs/go-findings.md with a parser repro, by repro slug.
OPEN = ("sync-unknown-experiment", "procstatus-uint8-truncation",
        "stwend-kind-string-across-generations", "cpusample-invalid-stack-id",
        "abandoned-promotion-random-m", "stack-validation-random-order")


def test_quote_meta_is_gos() -> None:
    assert go_quote_meta(r"a.b+c*d?e(f)g|h[i]j{k}l^m$n\o p-q#r") == \
        r"a\.b\+c\*d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\\o p-q#r"


def test_expectation_is_the_reference_verdict() -> None:
    assert reference_expectation(load(SEED).data) == "SUCCESS"
    assert reference_expectation(b"go 1.26 trace\x00\x00\x00\x05") .startswith('FAILURE "^')
    exp, _ = read_test_bytes(go_test_file(ExportSource(b"go 1.26 trace\x00\x00\x00", "h")), "h")
    assert not exp.failure


def test_files_round_trip_through_our_readers() -> None:
    for slug in OPEN:
        data = load(GO_FINDINGS / f"{slug}.txt").data
        name, seed = go_fuzz_seed(data)
        assert re.fullmatch(r"[0-9a-f]{16}", name)
        assert load_bytes(seed).data == data
        test = load_bytes(go_test_file(load_source(GO_FINDINGS / f"{slug}.txt")))
        assert test.data == data and test.expectation is not None
        assert test.expectation.check(_reference_error(data))


def _reference_error(data: bytes) -> str | None:
    from oracle.parser.errors import TraceError
    from oracle.parser.reader import Reader

    try:
        for _ in Reader(data):
            pass
    except TraceError as e:
        return e.message
    return None


def test_no_exact_text_form_is_an_export_error() -> None:
    data = load(SEED).data[:-3]
    with pytest.raises(ExportError, match="text form"):
        go_test_file(ExportSource(data, "cut"))
    assert load_bytes(go_fuzz_seed(data)[1]).data == data  # the seed needs none


def test_committed_exports_are_current(tmp_path: Path) -> None:
    """corpus/go-export holds exactly what ``export`` writes for each open finding."""
    for slug in OPEN:
        out = tmp_path / slug
        assert main(["export", str(GO_FINDINGS / f"{slug}.txt"), "--go-fuzz", str(out),
                     "--go-test", str(out / f"{slug}.test")]) == 0
        assert (out / f"{slug}.test").read_bytes() == (EXPORT / "tests" / f"{slug}.test").read_bytes()
        (seed,) = [p for p in out.iterdir() if p.suffix != ".test"]
        assert seed.read_bytes() == (EXPORT / "fuzz" / "FuzzReader" / seed.name).read_bytes()
    assert len(list((EXPORT / "fuzz" / "FuzzReader").iterdir())) == len(OPEN)
    doc = (ROOT / "docs" / "go-findings.md").read_text()
    assert "corpus/go-export" in doc


def test_export_of_a_finding_directory(tmp_path: Path) -> None:
    finding = ROOT / "corpus" / "regressions" / "engine-non-utf8-error-text"
    assert main(["export", str(finding), "--go-test", str(tmp_path / "f.test")]) == 0
    text = (tmp_path / "f.test").read_text(encoding="utf-8", errors="surrogateescape")
    assert text.startswith("Finding: ") and "-- expect --\nFAILURE " in text


def test_export_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(SEED)]) == 2
    assert "--go-fuzz" in capsys.readouterr().err


@pytest.mark.slow
def test_gos_own_tests_accept_the_exports_and_reproduce_the_findings(tmp_path: Path) -> None:
    tc = toolchain.pinned()
    golden = golden_test_name(tc.goroot)
    files = {f"tests/{p.name}": p.read_bytes() for p in (EXPORT / "tests").iterdir()}
    files |= {f"fuzz/FuzzReader/{p.name}": p.read_bytes()
              for p in (EXPORT / "fuzz" / "FuzzReader").iterdir()}
    control = ExportSource(load(SEED).data, "gotrace-control")  # agrees: must pass
    files["tests/gotrace-control.test"] = go_test_file(control)
    seed_name, seed = go_fuzz_seed(control.data)
    files[f"fuzz/FuzzReader/{seed_name}"] = seed
    # Findings 1-4: accessor panics with a .test export.  (Finding 21's v1 repros have none:
    # the .test text format writes v2 traces only.)
    deterministic = [k for k in KNOWN_GO_SIGNATURES if (EXPORT / "tests" / f"{k.slug}.test").is_file()]
    assert len(deterministic) >= 4, deterministic
    runs = ["^FuzzReader$", f"^{golden}$/^tests$/^gotrace-control\\.test$"]
    runs += [f"^{golden}$/^tests$/^{re.escape(k.slug)}\\.test$" for k in deterministic]
    fuzz, ok, *bugs = run_trace_tests(tc, files, runs)
    # Go's machinery reads every seed (FuzzReader calls no accessors, so all pass) ...
    assert fuzz.returncode == 0, fuzz.output[-3000:]
    for p in (EXPORT / "fuzz" / "FuzzReader").iterdir():
        assert f"--- PASS: FuzzReader/{p.name}" in fuzz.output
    assert f"--- PASS: FuzzReader/{seed_name}" in fuzz.output
    # ... and .test files: an agreeing trace passes ...
    assert ok.returncode == 0 and "--- PASS: " + golden + "/tests/gotrace-control.test" in ok.output
    # ... and each documented Go bug fails with its panic, in the accessor the finding names.
    for k, run in zip(deterministic, bugs):
        assert run.returncode != 0, run.output[-2000:]
        message = k.prefix.removeprefix("go-panic:").split(":", 1)[1]
        assert re.search("panic: " + re.escape(message).replace("N", r"\d+"), run.output), \
            run.output[-2000:]


def test_export_refuses_a_trace_too_big_for_gos_tests(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from oracle.campaign.export import MAX_EXPORT_BYTES

    big = tmp_path / "big.trace"
    with open(big, "wb") as f:
        f.write(b"go 1.26 trace\x00\x00\x00")
        f.truncate(MAX_EXPORT_BYTES + 1)  # sparse
    assert main(["export", str(big), "--go-fuzz", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "minimize" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
