"""Findings: signatures made filesystem-safe, what is already known, and the on-disk store.

Theory of operation
-------------------
A *finding* is a trace on which the reference parser and Go's parser diverge.  Its identity is
the :class:`~oracle.diff.compare.Comparison` *signature* (verdict class plus a normalized
location, e.g. ``go-panic:Sync:runtime error: index out of range [N] with length N``): two
traces with the same signature are one finding, whatever else differs.  This module answers the
three questions a campaign asks about a signature, and stores the answer to the last one:

1. *Where does it live?*  :func:`signature_slug` turns a signature into a stable, readable,
   filesystem-safe directory name: a sanitized prefix of the signature plus the first 10 hex
   digits of the SHA-1 of the *whole* signature (so truncation never merges two findings).
2. *Is it already known?*  A signature is known when
   - it matches one of the :data:`KNOWN_GO_SIGNATURES` prefixes: the signatures the repros in
     ``corpus/go-findings/`` produce against the pinned Go (each is a documented Go bug,
     numbered as in ``docs/go-findings.md``), or
   - some ``corpus/findings/*/metadata.json`` or ``corpus/regressions/*/metadata.json``
     records it (already triaged), or
   - the whole comparison is one of Go's two documented *nondeterministic* outputs
     (:func:`is_known_nondeterminism`: findings 5 and 12).  That test needs the comparison, not
     just the signature, because the same signature could also come from a real, deterministic
     bug in the reference parser.
3. *How is it kept?*  :class:`FindingStore.save` writes ``corpus/findings/<slug>/`` atomically:
   everything goes into a temporary directory *inside the store root* (same file system), each
   file is fsynced, and the directory is renamed into place.  A crash or SIGKILL at any moment
   leaves either the old finding, the new one, or a ``.tmp-*`` directory that
   :meth:`FindingStore.save` ignores; never half a finding.  When the slug already exists the
   smaller repro wins, so re-finding a bug can only improve its repro.

Files of a finding directory:

``repro.trace``
    The (minimized) binary trace.
``repro.txt``
    The same trace in Go's raw text format, readable and replayable (``gotrace-oracle diff
    repro.txt``), with ``#`` comment lines on top giving the signature, toolchain and both
    outcomes.  When the binary cannot be expressed in the text format (undecodable bytes, a
    truncation, non-minimal varints) the file says so and holds a commented hex dump instead.
``original.trace``
    The trace as the campaign found it (before minimization).
``metadata.json``
    Signature, verdict, index and field, toolchain, both outcomes (status, error, the first
    differing records), mutations, seed, sizes, creation time.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Final

from oracle.campaign.sources import default_corpus_root
from oracle.diff.compare import Comparison, Verdict
from oracle.diff.outcome import Outcome, Status

__all__ = [
    "FIXED",
    "GO_BUG",
    "KNOWN_GO_SIGNATURES",
    "KNOWN_NONDETERMINISM",
    "KNOWN_RELEASE_CHANGES",
    "FindingStore",
    "KnownReleaseChange",
    "KnownSignature",
    "REPLAY_BINARY",
    "REPLAY_EXACT",
    "finding_files",
    "is_known_go_signature",
    "is_known_nondeterminism",
    "known_release_change",
    "render_repro_text",
    "signature_slug",
    "write_finding_dir",
]

#: ``metadata.json`` ``classification`` values, set by hand when a finding is triaged (before
#: it moves to ``corpus/regressions/``): Go's fault (documented in docs/go-findings.md), or a
#: bug of the reference parser that has been fixed.  New findings have no classification.
GO_BUG: Final = "go-bug"
FIXED: Final = "fixed"


_SLUG_PREFIX_LEN: Final = 60
_UNSAFE: Final = re.compile(r"[^a-z0-9]+")


def signature_slug(signature: str) -> str:
    """A stable, filesystem-safe directory name for ``signature``.

    Lowercase ASCII letters, digits and single dashes (at most 60 of them, from the signature),
    then ``-`` and the first 10 hex digits of the SHA-1 of the full signature, e.g.
    ``go-panic-sync-runtime-error-index-out-of-range-n-with-length-n-3f1c0d9e2a``.
    """
    readable = _UNSAFE.sub("-", signature.lower()).strip("-")[:_SLUG_PREFIX_LEN].strip("-")
    digest = hashlib.sha1(signature.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{readable or 'finding'}-{digest}"


# --- What is already known -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownSignature:
    """A documented Go bug and the signature prefix its divergences have."""

    finding: int  # the number in docs/go-findings.md
    slug: str  # corpus/go-findings/<slug>.txt
    prefix: str  # signature prefix, matched with str.startswith


#: Signatures of the documented Go bugs, as the repros in ``corpus/go-findings/`` produce them
#: against the pinned Go 1.27.3 (measured by running each repro through ``compare``;
#: ``tests/test_findings.py`` re-checks it).  The other repros agree with the pinned Go (bugs
#: fixed before 1.27.3, and the cosmetic finding 11 that Python mirrors), or are
#: nondeterministic (findings 5 and 12, see :data:`KNOWN_NONDETERMINISM`).  Finding 6 has the
#: same signature as finding 2 on the releases it affects (1.22, 1.23).
#:
#: | # | repro | signature |
#: |---|---|---|
#: | 1 | sync-unknown-experiment | ``go-panic:Sync:runtime error: index out of range [N] with length N`` |
#: | 2 | procstatus-uint8-truncation | ``go-panic:StateTransition:runtime error: index out of range [N] with length N`` |
#: | 3 | stwend-kind-string-across-generations | ``go-panic:Range:expected id N in string table`` |
#: | 4 | cpusample-invalid-stack-id | ``go-panic:Stack:expected id N in trace.stack table`` |
#: | 15 | v1-gocreate-unknown-stack (.trace) | ``go-panic:StateTransition:expected id N in trace.stack table`` |
#: | 15 | v1-region-unknown-string (.trace) | ``go-panic:Region:expected id N in string table`` |
#: | 15 | v1-frame-unknown-string (.trace) | ``go-panic:Stack:expected id N in string table`` |
#: | 15 | v1-transition-frame-unknown-string (.trace) | ``go-panic:StateTransition:expected id N in string table`` |
#: | 15 | v1-task-unknown-string (.trace) | ``go-panic:Task:expected id N in string table`` |
#: | 15 | v1-log-unknown-string (.trace) | ``go-panic:Log:expected id N in string table`` |
#: | 15 | v1-label-unknown-string (.trace) | ``go-panic:Label:expected id N in string table`` |
KNOWN_GO_SIGNATURES: Final[tuple[KnownSignature, ...]] = (
    KnownSignature(1, "sync-unknown-experiment",
                   "go-panic:Sync:runtime error: index out of range [N] with length N"),
    KnownSignature(2, "procstatus-uint8-truncation",
                   "go-panic:StateTransition:runtime error: index out of range [N] with length N"),
    KnownSignature(3, "stwend-kind-string-across-generations",
                   "go-panic:Range:expected id N in string table"),
    KnownSignature(4, "cpusample-invalid-stack-id",
                   "go-panic:Stack:expected id N in trace.stack table"),
    # Finding 21 (v1 traces; binary repros, corpus/go-findings/<slug>.trace).
    KnownSignature(15, "v1-gocreate-unknown-stack",
                   "go-panic:StateTransition:expected id N in trace.stack table"),
    KnownSignature(15, "v1-region-unknown-string",
                   "go-panic:Region:expected id N in string table"),
    KnownSignature(15, "v1-frame-unknown-string",
                   "go-panic:Stack:expected id N in string table"),
    KnownSignature(15, "v1-transition-frame-unknown-string",
                   "go-panic:StateTransition:expected id N in string table"),
    KnownSignature(15, "v1-task-unknown-string", "go-panic:Task:expected id N in string table"),
    KnownSignature(15, "v1-log-unknown-string", "go-panic:Log:expected id N in string table"),
    KnownSignature(15, "v1-label-unknown-string", "go-panic:Label:expected id N in string table"),
)

#: Go's documented nondeterministic outputs (docs/go-findings.md), as (finding, signature).
#: A comparison with one of these signatures is only *known* when
#: :func:`is_known_nondeterminism` also accepts its details.
KNOWN_NONDETERMINISM: Final[tuple[tuple[int, str], ...]] = (
    (5, "event-mismatch:StateTransition:m"),
    (12, "error-text-mismatch:found "),
)

#: The errors of ``validateStackStrings`` (generation.go); which stack (and so which of these
#: errors) Go reports depends on map iteration order when several stacks are invalid.
#: The first line of a Proc ``StateTransition``'s ``String()``: ``M=<m> P=.. G=.. StateTransition
#: Time=.. ProcID=..`` and the rest; group 2 is everything but the M.
_PROC_TRANSITION_LINE: Final = re.compile(r"M=(-?\d+) (P=-?\d+) G=-?\d+ (StateTransition Time=\d+ ProcID=.*)")
_STACK_VALIDATION: Final = re.compile(
    r"found (?:unknown pc [0-9a-f]+|invalid (?:func|file) string ID \d+) for stack \d+"
)


@dataclass(frozen=True, slots=True)
class KnownReleaseChange:
    """A documented behaviour change between Go releases, as cross-release campaigns see it.

    A ``release-change:<old>-><new>:<what>`` signature (:mod:`oracle.campaign.crossrelease`)
    is this change when the change's first release lies in ``(old, new]`` and ``pattern``
    matches ``what`` (``re.match``).  Matching on the release *interval* rather than on a pair
    keeps the entry valid for any ``--go`` list: ``1.22.10,1.27.3`` sees the same change as
    ``1.24.11,1.25.5``.
    """

    finding: int  # the number in docs/go-findings.md
    slug: str | None  # corpus/go-findings/<slug>.txt, when the change has a repro there
    since: int  # the minor release (1.<since>) with the new behaviour
    pattern: str  # regular expression matched against the signature's <what> part


#: The documented release-to-release changes (docs/go-findings.md, "Changes between
#: releases"; the "Fixed in later releases" findings are such changes too).  A release pair's
#: ``<what>`` is ``<old answer> => <new answer>`` when the releases answer differently, or
#: ``events:<kind>:<field>`` / ``strings:<kind>`` when they answer alike with other events or
#: ``Event.String()`` texts (see :func:`oracle.campaign.crossrelease.release_change`).
KNOWN_RELEASE_CHANGES: Final[tuple[KnownReleaseChange, ...]] = (
    # 1.22 -> 1.23: experimental batches and event types (finding 23); read errors in the
    # next generation are reported after the current one (finding 8; its events come first).
    KnownReleaseChange(23, None, 23, r"rejected: found invalid event type: N => "),
    KnownReleaseChange(23, None, 23,
                       r"rejected: expected batch event \(EventBatch\), got Invalid\(N\) => accepted$"),
    KnownReleaseChange(8, "spill-error-before-first-generation", 23,
                       r"rejected: (failed to read full batch|error reading batch|invalid batch size N"
                       r"|expected batch event \(EventBatch\), got)"),
    KnownReleaseChange(8, "spill-error-before-first-generation", 23, r"events:\w+:<missing record>$"),
    # 1.22 -> 1.23: one PC -> frame table per generation, the first frame of a PC wins
    # (finding 29), and stack texts in errors print PCs.
    KnownReleaseChange(29, None, 23, r"events:\w+:stack\[\]\.(func|file|line)$"),
    KnownReleaseChange(29, None, 23,
                       r"rejected: multiple trace\.stacks with the same ID: id=N, new=\ttrace\.frame"),
    KnownReleaseChange(29, None, 23, r"rejected: found invalid (func|file) string ID N for stack N => "),
    # 1.22 -> 1.23: GoDestroySyscall's synthesized ProcSteal comes before the event (finding 31).
    KnownReleaseChange(31, None, 23, r"events:StateTransition:transition\.resource\.kind$"),
    # 1.23 -> 1.24: finding 6 behind an earlier StateTransition panic both releases share.
    KnownReleaseChange(6, None, 24, r"events:StateTransition:transition$"),
    # 1.24 -> 1.25: the whole frequency batch is read (finding 25); error texts name events
    # by the trace version's table, and Go 1.25's new timed events reach ordering (26); the
    # Sync accessor's panic appears (finding 1).
    KnownReleaseChange(25, None, 25,
                       r".* => rejected: (found multiple frequency events|expected frequency or "
                       r"clock snapshot event, got N)$"),
    KnownReleaseChange(26, None, 25,
                       r"rejected: expected batch event, got .* => rejected: expected batch "
                       r"event, got event N$"),
    KnownReleaseChange(26, None, 25,
                       r"rejected: found event without a timestamp: type=N => rejected: bad event "
                       r"type found while ordering: N$"),
    KnownReleaseChange(26, None, 25, r"rejected: .* => rejected: (event )?Invalid\(N\) "),
    KnownReleaseChange(1, "sync-unknown-experiment", 25,
                       r".* => accessor-panic Sync: runtime error: index out of range"),
    # 1.25 -> 1.26: an EndOfGeneration byte is read in every version: as a batch header it is
    # a marker without a generation ("invalid generation number 0"), inside a batch an
    # "internal error" (finding 27; the reference's end_of_generation_marker);
    # GoStatusStack transitions get their stack (finding 28).
    KnownReleaseChange(27, None, 26, r".* => rejected: invalid generation number N$"),
    KnownReleaseChange(27, None, 26,
                       r".* => rejected: internal error: unexpectedly processing EndOfGeneration; "
                       r"broken trace\?$"),
    KnownReleaseChange(28, None, 26, r"events:StateTransition:transition\.stack"),
    KnownReleaseChange(6, "gostatus-uint8-truncation", 24,
                       r"accessor-panic StateTransition: runtime error: index out of range "
                       r"\[N\] with length N => accepted$"),
    KnownReleaseChange(7, "empty-generation-frontier-empty", 25,
                       r"rejected: broken trace: frontier is empty:? => "),
    KnownReleaseChange(8, "spill-error-before-first-generation", 23,
                       r"rejected: failed to read full batch: read N but wanted N => rejected: "),
    KnownReleaseChange(9, "gcsweepactive-scope", 26, r"events:Range\w+:range\.scope"),
    KnownReleaseChange(10, "abandoned-status-named-bad", 27,
                       r"rejected: inconsistent status for proc N: old (Bad vs\. new \w+|\w+ vs\. new Bad) "
                       r"=> rejected: inconsistent status for proc N: old \w+ vs\. new \w+$"),
)

_RELEASE_CHANGE: Final = re.compile(r"release-change:1\.(\d+)(?:\.\d+)?->1\.(\d+)(?:\.\d+)?:(.*)",
                                    re.DOTALL)


def known_release_change(signature: str) -> KnownReleaseChange | None:
    """The documented change a ``release-change:`` signature shows, if any."""
    m = _RELEASE_CHANGE.fullmatch(signature)
    if m is None:
        return None
    old, new, what = int(m.group(1)), int(m.group(2)), m.group(3)
    for k in KNOWN_RELEASE_CHANGES:
        if old < k.since <= new and re.match(k.pattern, what):
            return k
    return None


def is_known_go_signature(signature: str) -> bool:
    """Whether ``signature`` is one of the documented Go bugs' (:data:`KNOWN_GO_SIGNATURES`),
    or a documented change between releases (:data:`KNOWN_RELEASE_CHANGES`)."""
    if signature.startswith("release-change:"):
        return known_release_change(signature) is not None
    return any(signature.startswith(k.prefix) for k in KNOWN_GO_SIGNATURES)


def is_known_nondeterminism(c: Comparison) -> bool:
    """Whether ``c`` is one of Go's documented nondeterministic results, not a finding.

    * Finding 5: a ``ProcSyscallAbandoned`` status promoted from ``ProcSyscall`` gets the M of
      a random one of the Ms holding the P, and that M's goroutine (order.go:218-224): the
      first difference is the ``m`` of a Proc ``StateTransition`` record, and the two records
      are equal apart from ``m`` and ``g``.  In ``Event.String()`` the same shows as a
      ``string-mismatch`` on the transition's first line, which names another ``M=`` (and
      ``G=``).
    * Finding 12: with several invalid stacks in a sparse stack table, Go reports a random one:
      both sides reject with a ``validateStackStrings`` error (``found unknown pc ...``,
      ``found invalid func|file string ID ...``), naming possibly different stacks.
    """
    if c.verdict is Verdict.EVENT_MISMATCH and c.field == "m":
        left, right = c.left, c.right
        if not (isinstance(left, dict) and isinstance(right, dict)):
            return False
        if left.get("kind") != "StateTransition" or right.get("kind") != "StateTransition":
            return False
        resource = (left.get("transition") or {}).get("resource") or {}
        same_otherwise = {k: v for k, v in left.items() if k not in ("m", "g")} == {
            k: v for k, v in right.items() if k not in ("m", "g")
        }
        return resource.get("kind") == "Proc" and same_otherwise
    if c.verdict is Verdict.ERROR_TEXT_MISMATCH:
        return all(
            isinstance(msg, str) and _STACK_VALIDATION.fullmatch(msg) is not None
            for msg in (c.left, c.right)
        )
    if c.verdict is Verdict.STRING_MISMATCH:
        # Finding 5 in ``Event.String()``: the first line of a Proc StateTransition names
        # another M and G.  (Seen where Go's records and its String() text came from separate
        # parses, as in the minimizer's and ``diff``'s separate requests: its random pick can
        # differ between the two even when the records agreed.)
        lines = [_PROC_TRANSITION_LINE.fullmatch(x) if isinstance(x, str) else None
                 for x in (c.left, c.right)]
        return (lines[0] is not None and lines[1] is not None
                and lines[0].group(2, 3) == lines[1].group(2, 3))
    return False


# --- Writing a finding -----------------------------------------------------------------------


def _outcome_summary(o: Outcome, record: Any) -> dict[str, Any]:
    """The metadata view of one side: how it ended, and its record at the first difference."""
    return {
        "impl": o.impl,
        "status": o.status.value,
        "error": o.error,
        "records": len(o.records),
        "record_at_difference": record,
        "detail": (o.detail or "")[-4000:] or None,
    }


def _record_at(o: Outcome, index: int | None) -> Any:
    if index is None or index >= len(o.records):
        return None
    return o.records[index]


def _describe(o: Outcome) -> str:
    """One line: how a side ended, e.g. ``rejected after 3 events: <first line of error>``."""
    if o.status is Status.ACCEPTED:
        return f"accepted, {len(o.records)} events"
    first = (o.error or "").splitlines()[0] if o.error else ""
    return f"{o.status.value} after {len(o.records)} events: {first}"


#: The replay line of ``repro.txt``, run from the finding's directory (findings move from
#: ``findings/`` to ``regressions/``, so it names no absolute path).
REPLAY_EXACT: Final = "Replay (in this directory): gotrace-oracle diff repro.txt   (or repro.trace)"
REPLAY_BINARY: Final = "Replay (in this directory): gotrace-oracle diff repro.trace"


def render_repro_text(data: bytes, header: Sequence[str], replay: str | None = None) -> str:
    """``repro.txt``: ``#`` comment lines, then Go's raw text format of ``data``.

    When ``data`` cannot be read by the raw reader, or its text form does not convert back to
    the very same bytes, the text form would mislead; the file then says why and carries a
    commented hex dump instead (replay ``repro.trace``).
    """
    from oracle.parser import raw
    from oracle.parser.errors import TraceError

    lines = [f"# {h}" if h else "#" for h in header]
    try:
        text = raw.binary_to_text(data)
        exact = raw.text_to_binary(text) == data
        why = "" if exact else "its text form does not convert back to the same bytes"
    except TraceError as e:
        text, exact, why = "", False, f"the raw reader rejects it: {e.message}"
    # The replay command must work as printed: a hex dump is no input, so it names the binary.
    if replay is not None:  # another command than diff (a release change: matrix)
        lines.append(f"# Replay (in this directory): {replay}")
    else:
        lines.append(f"# {REPLAY_EXACT if exact else REPLAY_BINARY}")
    if exact:
        return "\n".join(lines) + "\n" + text
    lines += [
        "#",
        f"# This trace has no exact text form ({why}).",
        f"# Hex dump ({len(data)} bytes):",
    ]
    for off in range(0, len(data), 16):
        chunk = data[off : off + 16]
        lines.append(f"# {off:06x}  {chunk.hex(' ')}")
    return "\n".join(lines) + "\n"


def finding_files(
    data: bytes,
    comparison: Comparison,
    left: Outcome,
    right: Outcome,
    *,
    toolchain: str,
    mutations: Iterable[str] = (),
    seed: str | None = None,
    minimized: bytes | None = None,
    extra: dict[str, Any] | None = None,
    sides: tuple[str, str] = ("python", "go"),
    replay: str | None = None,
) -> dict[str, bytes]:
    """The files of one finding directory, by name (see the module docstring).

    ``sides`` names the two outcomes (metadata keys, and the header lines' labels): the
    reference and Go by default; two Go releases for a release change (``go1.24.11``...).
    ``replay`` is the replay command when it is not ``diff`` (see :func:`render_repro_text`).
    """
    repro = minimized if minimized is not None else data
    meta: dict[str, Any] = {
        "signature": comparison.signature,
        "slug": signature_slug(comparison.signature),
        "verdict": comparison.verdict.value,
        "index": comparison.index,
        "field": comparison.field,
        "toolchain": toolchain,
        sides[0]: _outcome_summary(left, _record_at(left, comparison.index)),
        sides[1]: _outcome_summary(right, _record_at(right, comparison.index)),
        "mutations": list(mutations),
        "seed": seed,
        "classification": None,
        "minimized": minimized is not None,
        "original_bytes": len(data),
        "repro_bytes": len(repro),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if extra:
        meta.update(extra)
    header = [
        f"Finding: {comparison.signature}",
        f"Verdict: {comparison.verdict.value}"
        + (f" at event #{comparison.index}" if comparison.index is not None else "")
        + (f", field {comparison.field}" if comparison.field else ""),
        f"Toolchain: go{toolchain.removeprefix('go')}",
    ]
    if sides == ("python", "go"):
        header += [f"Python: {_describe(left)}", f"Go:     {_describe(right)}"]
    else:
        width = max(len(x) for x in sides) + 1
        header += [f"{sides[0] + ':':<{width}} {_describe(left)}",
                   f"{sides[1] + ':':<{width}} {_describe(right)}"]
    if meta["mutations"]:
        header.append(f"Mutations: {', '.join(meta['mutations'])}")
    if seed is not None:
        header.append(f"Seed: {seed}")
    header += [
        f"Size: {len(repro)} bytes (original {len(data)} bytes)",
    ]
    return {
        "repro.trace": repro,
        "original.trace": data,
        "repro.txt": render_repro_text(repro, header, replay).encode("utf-8", "surrogateescape"),
        "metadata.json": (json.dumps(meta, indent=1, ensure_ascii=False) + "\n").encode(
            "utf-8", "surrogateescape"
        ),
    }


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_tmp_dir(parent: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` into a new ``.tmp-*`` directory under ``parent``, each file fsynced."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
    for name, content in files.items():
        with open(tmp / name, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    _fsync_dir(tmp)
    return tmp


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``directory/.lock``: campaign jobs are separate processes that
    may record the same signature at the same moment."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def write_finding_dir(
    dest: Path, files: dict[str, bytes], *, replace: bool | Callable[[Path], bool] = True
) -> bool:
    """Atomically make ``dest`` a directory holding exactly ``files``.

    The files are written to a temporary directory next to ``dest`` and renamed into place,
    under a lock on the parent directory.  An existing ``dest`` is replaced when ``replace`` is
    true (or, when it is a function, returns true for the existing directory), else left alone.
    Returns whether ``dest`` now holds the new files.
    """
    tmp = _write_tmp_dir(dest.parent, files)
    try:
        with _locked(dest.parent):
            return _install_dir(tmp, dest, replace)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _install_dir(tmp: Path, dest: Path, replace: bool | Callable[[Path], bool]) -> bool:
    """Rename ``tmp`` to ``dest`` (caller holds the lock)."""
    if dest.exists():
        if not (replace(dest) if callable(replace) else replace):
            return False
        # Move the old one aside first: rename() cannot replace a non-empty directory.
        trash = Path(tempfile.mkdtemp(prefix=".old-", dir=dest.parent))
        os.replace(dest, trash / dest.name)
        os.replace(tmp, dest)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, dest)
    _fsync_dir(dest.parent)
    return True


class FindingStore:
    """The findings on disk: ``<root>/findings/<slug>/`` plus the triaged ``<root>/regressions``.

    ``root`` is normally the repository's ``corpus/`` directory.  Known signatures are read once
    (lazily) and kept up to date by :meth:`save`; :meth:`refresh` re-reads them.
    """

    def __init__(self, root: Path | None = None) -> None:
        root = root if root is not None else default_corpus_root()
        self.root = Path(root)
        self._recorded: set[str] | None = None
        self._go_bugs: set[str] = set()

    @property
    def findings_dir(self) -> Path:
        """Where new findings go."""
        return self.root / "findings"

    @property
    def regressions_dir(self) -> Path:
        """Where classified findings are kept and replayed by ``make test``."""
        return self.root / "regressions"

    def finding_dirs(self) -> list[Path]:
        """Every finding directory (findings and regressions) that has a metadata file."""
        out: list[Path] = []
        for base in (self.findings_dir, self.regressions_dir):
            if base.is_dir():
                out += sorted(
                    d for d in base.iterdir()
                    if not d.name.startswith(".") and (d / "metadata.json").is_file()
                )
        return out

    def refresh(self) -> None:
        """Re-read the recorded signatures from disk."""
        recorded: set[str] = set()
        go_bugs: set[str] = set()
        for d in self.finding_dirs():
            try:
                meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            sig = meta.get("signature") if isinstance(meta, dict) else None
            if isinstance(sig, str):
                recorded.add(sig)
                if meta.get("classification") == GO_BUG:
                    go_bugs.add(sig)
        self._recorded = recorded
        self._go_bugs = go_bugs

    def is_known_go_bug(self, c: Comparison) -> bool:
        """Whether ``c`` is Go's fault by the record: a documented Go bug's signature, Go's
        documented nondeterminism, or a finding whose metadata ``classification`` is
        ``go-bug``.  Stricter than :meth:`is_known_comparison`, which also counts untriaged
        findings and fixed reference-parser bugs as known; ``conform`` uses this one, so that
        a fixed bug that comes back fails CI."""
        if is_known_go_signature(c.signature) or is_known_nondeterminism(c):
            return True
        if self._recorded is None:
            self.refresh()
        return c.signature in self._go_bugs

    def known_signatures(self) -> set[str]:
        """Signatures recorded under ``findings/`` and ``regressions/`` (a copy)."""
        if self._recorded is None:
            self.refresh()
        assert self._recorded is not None
        return set(self._recorded)

    def is_known(self, signature: str) -> bool:
        """Whether ``signature`` is a documented Go bug or already recorded in the store."""
        if is_known_go_signature(signature):
            return True
        if self._recorded is None:
            self.refresh()
        assert self._recorded is not None
        return signature in self._recorded

    def is_known_comparison(self, c: Comparison) -> bool:
        """:meth:`is_known` for the signature, or a documented nondeterministic result."""
        return self.is_known(c.signature) or is_known_nondeterminism(c)

    def crash_path(self, data: bytes) -> Path:
        """Where :meth:`save` also puts the input as found, named as libFuzzer names its
        crash artifacts (``crash-<sha1>``), so that libFuzzer tools (``-runs=0`` replay,
        ``-minimize_crash``, ClusterFuzz) take it as they are."""
        return self.findings_dir / f"crash-{hashlib.sha1(data).hexdigest()}"

    def _write_crash_artifact(self, data: bytes) -> None:
        dest = self.crash_path(data)
        if dest.exists():
            return
        fd, tmp = tempfile.mkstemp(prefix=".tmp-crash-", dir=self.findings_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def path_for(self, signature: str) -> Path:
        """The directory a finding with ``signature`` is (or would be) saved in."""
        return self.findings_dir / signature_slug(signature)

    def save(
        self,
        data: bytes,
        comparison: Comparison,
        left: Outcome,
        right: Outcome,
        *,
        toolchain: str,
        mutations: list[str],
        seed: str | None,
        minimized: bytes | None,
        extra: dict[str, Any] | None = None,
        sides: tuple[str, str] = ("python", "go"),
        replay: str | None = None,
    ) -> Path:
        """Record a finding atomically under ``findings/<slug>/`` and return that directory.

        When the directory already exists, the finding with the smaller repro is kept (the
        existing one on a tie).  ``extra``, ``sides``, ``replay``: see :func:`finding_files`.
        """
        files = finding_files(
            data, comparison, left, right, toolchain=toolchain, mutations=mutations, seed=seed,
            minimized=minimized, extra=extra, sides=sides, replay=replay,
        )
        dest = self.path_for(comparison.signature)
        size = len(files["repro.trace"])

        def smaller(existing: Path) -> bool:
            try:
                return size < (existing / "repro.trace").stat().st_size
            except OSError:  # a directory without a repro: replace it
                return True

        write_finding_dir(dest, files, replace=smaller)
        self._write_crash_artifact(data)
        if self._recorded is not None:
            self._recorded.add(comparison.signature)
        return dest
