"""Cross-release campaigns: every case against several Go releases at once.

``gotrace-oracle fuzz --go 1.22.10,1.24.11,1.27.3`` runs each case through the real parser of
every listed release (one Go helper per release per worker) and through the reference with
each release's semantics where the reference reproduces that release
(:func:`oracle.parser.releases.reproduced`).  A case yields two kinds of comparison:

* **reference(X) vs Go X**, for each reproduced release X: the ordinary
  :class:`~oracle.campaign.checker.CaseChecker` of that release (its finding classes and
  store, its fast path), its new findings tagged with the release.  Releases the reference
  does not reproduce take part in the Go-vs-Go comparison only, and the report says so.
* **Go X vs Go Y**, for each pair of *adjacent* listed releases that both support the case's
  trace version (a release that rejects it with ``unknown or unsupported trace version``
  stays out, and its neighbours are compared with each other): :func:`release_change`.  A
  difference is a ``release-change:<X>-><Y>:<what>`` signature, of the
  :data:`~oracle.diff.compare.Verdict.RELEASE_CHANGE` class.  The corpus knows the documented
  ones (:data:`oracle.campaign.findings.KNOWN_RELEASE_CHANGES`, matched on the release
  interval, so any ``--go`` list recognises them); any other is confirmed (both releases are
  asked again: a change that does not repeat is Go's nondeterminism, not a finding), saved
  under ``corpus/findings/`` like every finding, and minimized with a predicate that keeps
  the two releases disagreeing the same way.  Its replay command is
  ``gotrace-oracle fuzz --go X,Y --replay repro.trace``.

What is compared between two releases
-------------------------------------
First each release's *answer*: ``accepted``, ``rejected: <error>``, ``panic: <message>``
(``ReadEvent`` panicked), ``accessor-panic <Accessor>: <message>`` (an event was returned
but an accessor panics on it) or ``crash: ...``; messages go through
:func:`oracle.diff.compare.error_format` (numbers are ``N``, first line only), so a change
of a reported ID alone is not a change.  When the answers are the same and both releases
write the same event layout (:data:`EVENT_LAYOUTS`), the event records, then the
``Event.String()`` texts when both were asked for and both print the same layout
(:data:`STRING_LAYOUTS`), are compared as :func:`oracle.diff.compare.compare` compares
(v1 traces, and any trace when a release up to :data:`CHANCE_TIE_ORDER_UNTIL` takes part,
up to Go's chance order of equal timestamps, and then without ``String()``; Go's documented
nondeterminism is no change).  The ``<what>`` of a signature is ``<old answer> => <new
answer>``, ``events:<kind>:<field>`` or ``strings:<kind>``.  A new change that does not
repeat when both releases are asked again is counted as ``release-flaky`` in the pair's
verdicts and is no finding.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from oracle.campaign.checker import CaseChecker, CaseStats, NewFinding
from oracle.campaign.findings import FindingStore, is_known_nondeterminism
from oracle.campaign.matrix import cell_of
from oracle.diff.compare import Comparison, Verdict, compare, error_format, ties_possible
from oracle.diff.impls.go import outcome_from_helper, request_parse
from oracle.diff.outcome import Outcome, Status, end_of_record, split_parse_string
from oracle.harness.helper import GoHelper, HelperResult
from oracle.parser.releases import reproduced

__all__ = [
    "CHANCE_TIE_ORDER_UNTIL",
    "EVENT_LAYOUTS",
    "STRING_LAYOUTS",
    "CrossReleaseChecker",
    "ReadOnlyStore",
    "answer",
    "comparable",
    "pair_name",
    "parse_go_list",
    "release_change",
    "replay_command",
]

#: The minor releases from which on the event stream has a new layout by design, so that two
#: releases' event records are only compared within one layout: 1.25 moved each generation's
#: ``Sync`` event from its end to its start (and derives timestamps and CPU samples'
#: placement differently).  Releases in different layouts compare answers only.
EVENT_LAYOUTS: Final = (22, 25)
#: The same for ``Event.String()``: 1.26 prints a transition's ``Reason`` after its states
#: (``Resource=``/``Reason=`` came first before) and a ``Sync``'s wall time with
#: ``RFC3339Nano`` (the reference's ``transition_string_resource_first`` and
#: ``sync_wall_nanos`` switches).
STRING_LAYOUTS: Final = (22, 26)
#: The last minor release that takes events of equal timestamps from its Ms in a random order
#: (its frontier is built by ranging over the ``gen.batches`` map; 1.24 ranges over the Ms in
#: the order their batches were read, ``gen.batchMs``): between such releases, events are
#: compared up to that order, as v1 traces are, and ``Event.String()`` is not compared
#: (docs/go-findings.md, finding 24).
CHANCE_TIE_ORDER_UNTIL: Final = 23
#: How many more times both releases are asked before a new release change counts (v1
#: traces: Go's answer depends on map order, as in the checker's ``_V1_RETRIES``).
_CONFIRM_RUNS: Final = 3
_CONFIRM_RUNS_V1: Final = 4
_EOF_LINE: Final = b'{"end":"EOF"}\n'


def _minor(release: str) -> int:
    return int(release.split(".")[1])


def _layout(minor: int, layouts: Sequence[int]) -> int:
    return max((m for m in layouts if m <= minor), default=0)


def comparable(old: str, new: str, layouts: Sequence[int] = EVENT_LAYOUTS) -> bool:
    """Whether releases ``old`` and ``new`` share a layout of ``layouts``."""
    return _layout(_minor(old), layouts) == _layout(_minor(new), layouts)


def pair_name(old: str, new: str) -> str:
    """``"<old>-><new>"``: a release pair's name in signatures and reports."""
    return f"{old}->{new}"


def parse_go_list(spec: str, supported: Sequence[str]) -> list[str]:
    """The releases of a ``--go`` list: ``all`` (every release in ``supported``) or versions
    separated by commas; sorted oldest first, without duplicates.  Raises ``ValueError`` on an
    empty list or a malformed version."""
    if spec.strip() == "all":
        names = list(supported)
    else:
        names = [v.strip().removeprefix("go") for v in spec.split(",") if v.strip()]
    if not names:
        raise ValueError(f"--go {spec!r}: no release")
    for v in names:
        parts = v.split(".")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts) or parts[0] != "1":
            raise ValueError(f"--go {spec!r}: {v!r} is not a Go release like 1.24.11")
    return sorted(set(names), key=lambda v: tuple(int(p) for p in v.split(".")))


def answer(o: Outcome) -> str | None:
    """A release's answer, as releases are compared; None when the release does not support
    the trace's version (it takes no part in the comparison)."""
    cell = cell_of(o, None, b"")
    if cell.verdict == "unsupported":
        return None
    if cell.verdict == "panic" and o.status is Status.ACCEPTED:
        return f"accessor-panic {error_format(cell.detail or '')}"
    if cell.detail is None:
        return cell.verdict
    return f"{cell.verdict}: {error_format(cell.detail)}"


def _without_panics(o: Outcome) -> Outcome:
    if not any("panics" in r for r in o.records):
        return o
    return replace(o, records=tuple({k: v for k, v in r.items() if k != "panics"}
                                    for r in o.records))


def release_change(old_release: str, old: Outcome, new_release: str, new: Outcome, *,
                   ties: bool = False) -> Comparison | None:
    """The behaviour change between two releases' outcomes on one input, or None.

    See the module docstring for what is compared; ``ties``: the input is a v1 trace.  Also
    None when a release does not support the input's version.
    """
    a, b = answer(old), answer(new)
    if a is None or b is None:
        return None
    prefix = f"release-change:{pair_name(old_release, new_release)}:"
    if a != b:
        return Comparison(Verdict.RELEASE_CHANGE, f"{prefix}{a} => {b}", left=a, right=b)
    if not comparable(old_release, new_release):
        return None
    ties = ties or min(_minor(old_release), _minor(new_release)) <= CHANCE_TIE_ORDER_UNTIL
    if ties or not comparable(old_release, new_release, STRING_LAYOUTS):
        # Under chance order the texts are not compared: each release's texts follow its own
        # chance order, which compare() tolerates in the records only.
        old, new = replace(old, strings=None), replace(new, strings=None)
    c = compare(_without_panics(old), _without_panics(new), ties=ties)
    if c.agree or is_known_nondeterminism(c):
        return None
    if c.verdict is Verdict.EVENT_MISMATCH:
        what = "events:" + c.signature.removeprefix("event-mismatch:")
    elif c.verdict is Verdict.STRING_MISMATCH:
        what = "strings:" + c.signature.removeprefix("string-mismatch:")
    else:  # the same error format with other numbers: not compared (see answer())
        return None
    return Comparison(Verdict.RELEASE_CHANGE, prefix + what, index=c.index, field=c.field,
                      left=c.left, right=c.right)


def replay_command(releases: Sequence[str], path: str) -> str:
    """The one command that replays a finding of a cross-release campaign."""
    return f"gotrace-oracle fuzz --go {','.join(releases)} --replay {path}"


class ReadOnlyStore(FindingStore):
    """A :class:`FindingStore` that knows what the corpus knows but writes nothing
    (``fuzz --replay``): :meth:`save` only says where the finding would go."""

    def save(self, data: bytes, comparison: Comparison, left: Outcome, right: Outcome,
             **kwargs: Any) -> Path:
        return self.path_for(comparison.signature)


# --- one release's side of a case ------------------------------------------------------------


class _GoLane:
    """Go alone, for a release the reference does not reproduce: counts Go's verdicts."""

    def __init__(self, binary: Path, release: str, *, timeout: float, strings_every: int) -> None:
        from oracle.campaign.checker import _HelperGo

        self.go_version = release
        self.strings_every = strings_every
        self.helper = GoHelper(binary, timeout=timeout)
        self.go = _HelperGo(self.helper, release)
        self.stats = CaseStats()
        self.last_go: HelperResult | Outcome | None = None
        self.last_strings = False

    def check(self, data: bytes, *, mutations: Sequence[str] = (), seed: str | None = None) -> None:
        st = self.stats
        strings = self.strings_every > 0 and st.cases % self.strings_every == 0
        t0 = time.perf_counter()
        res = request_parse(self.helper, data, strings=strings)
        st.seconds_go += time.perf_counter() - t0
        self.last_go, self.last_strings = res, strings
        st.cases += 1
        st.go[_status(res, strings)] += 1
        st.mutations.update(mutations or ("(none)",))

    def close(self) -> None:
        self.helper.close()


def _status(res: HelperResult, strings: bool) -> str:
    """Go's status (a :class:`Status` value) from a raw answer, decoding only its terminal
    record."""
    if res.outcome == "panic":
        return Status.PANIC.value
    if res.outcome != "ok":
        return Status.TIMEOUT.value if res.outcome == "timeout" else Status.CRASH.value
    return _terminal(res, strings)[0].value


def _terminal(res: HelperResult, strings: bool) -> tuple[Status, str | None]:
    output = split_parse_string(res.output)[0] if strings else res.output
    if output.endswith(_EOF_LINE):
        return Status.ACCEPTED, None
    at = output.rfind(b'{"end":')
    if at < 0:
        return Status.CRASH, "output ended without a terminal record"
    end = end_of_record(json.loads(output[at:].split(b"\n", 1)[0]))
    return end.status, end.error


@dataclass(slots=True)
class _View:
    """One release's answer to the current case, decoded only as far as needed."""

    release: str
    raw: HelperResult | Outcome
    strings: bool
    _outcome: Outcome | None = None
    _answer: str | None = None
    _answered: bool = False

    def outcome(self) -> Outcome:
        if self._outcome is None:
            raw = self.raw
            self._outcome = raw if isinstance(raw, Outcome) else outcome_from_helper(
                f"go{self.release}", raw, strings=self.strings)
        return self._outcome

    def answer(self) -> str | None:
        """:func:`answer`, from the terminal record alone when no event carries a panic."""
        if not self._answered:
            raw = self.raw
            if isinstance(raw, HelperResult) and raw.outcome == "ok" \
                    and b'"panics":' not in raw.output:
                status, error = _terminal(raw, self.strings)
                self._answer = answer(Outcome(f"go{self.release}", status, (), error))
            else:
                self._answer = answer(self.outcome())
            self._answered = True
        return self._answer

    def same_bytes(self, other: _View) -> bool:
        a, b = self.raw, other.raw
        return (isinstance(a, HelperResult) and isinstance(b, HelperResult)
                and a.outcome == b.outcome == "ok" and self.strings == other.strings
                and a.output == b.output)


_Lane = CaseChecker | _GoLane


class CrossReleaseChecker:
    """The checker of a cross-release campaign's worker: a lane per release, pairs compared.

    ``releases`` are ``(version, helper binary)`` pairs; the statistics (:attr:`stats`) sum
    the lanes' and keep each lane's and each pair's counters under ``stats.lanes``.  It has
    the interface the engine's worker loop uses: :meth:`check`, :attr:`stats`, :meth:`close`.
    """

    def __init__(
        self,
        releases: Sequence[tuple[str, Path]],
        store: FindingStore,
        *,
        timeout: float = 10.0,
        python_timeout: float = 10.0,
        minimize: bool = True,
        minimize_seconds: float = 30.0,
        should_stop: Callable[[], bool] | None = None,
        strings_every: int = 1,
    ) -> None:
        if len(releases) < 2:
            raise ValueError("a cross-release checker needs at least two releases")
        self.releases = [r for r, _ in releases]
        self.store = store
        self.minimize = minimize
        self.minimize_seconds = minimize_seconds
        self._should_stop = should_stop or (lambda: False)
        self.stats = CaseStats()
        self._saved: set[str] = set()
        self.lanes: list[_Lane] = []
        try:
            for rel, binary in releases:
                lane: _Lane
                if reproduced(rel) is not None:
                    lane = CaseChecker(binary, rel, store, timeout=timeout,
                                       python_timeout=python_timeout, minimize=minimize,
                                       minimize_seconds=minimize_seconds,
                                       should_stop=should_stop, strings_every=strings_every,
                                       heap=False)
                else:
                    lane = _GoLane(binary, rel, timeout=timeout, strings_every=strings_every)
                self.lanes.append(lane)
                self.stats.lanes[rel] = lane.stats
        except BaseException:
            self.close()
            raise
        #: The lane whose timeout and heap oracle serve the whole case (any CaseChecker).
        self._timer = next((x for x in self.lanes if isinstance(x, CaseChecker)), None)

    @property
    def reference_releases(self) -> list[str]:
        """The releases whose reference semantics are checked."""
        return [x.go_version for x in self.lanes if isinstance(x, CaseChecker)]

    def close(self) -> None:
        """Stop every helper."""
        for lane in self.lanes:
            lane.close()

    def __enter__(self) -> CrossReleaseChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the public step ---

    def check(self, data: bytes, *, mutations: Sequence[str] = (), seed: str | None = None) -> None:
        """Check one case in every lane and every adjacent pair; count, save what is new."""
        st = self.stats
        views: list[_View] = []
        for lane in self.lanes:
            n_new = len(lane.stats.new)
            lane.check(data, mutations=mutations, seed=seed)
            for f in lane.stats.new[n_new:]:
                f.release = lane.go_version
                f.command = f"gotrace-oracle diff --go {lane.go_version} {f.repro}/repro.trace"
                st.new.append(f)
            assert lane.last_go is not None
            views.append(_View(lane.go_version, lane.last_go, lane.last_strings))
        if self._timer is not None:
            self._timer._check_heap(data, mutations, seed, into=st)
        taking_part = [v for v in views if v.answer() is not None]
        ties = ties_possible(data)
        for old, new in zip(taking_part, taking_part[1:]):
            self._check_pair(data, old, new, ties, list(mutations), seed)
        st.cases += 1
        st.mutations.update(mutations or ("(none)",))
        self._aggregate()

    def _aggregate(self) -> None:
        """The campaign-wide counters: the lanes' and pairs' summed (cases stay per case)."""
        st = self.stats
        for name in ("verdicts", "go", "python", "signatures", "known_signatures"):
            total: Counter[str] = Counter()
            for lane in st.lanes.values():
                total.update(getattr(lane, name))
            setattr(st, name, total)
        lanes = st.lanes.values()
        st.known_cases = sum(x.known_cases for x in lanes)
        st.fast_path = sum(x.fast_path for x in lanes)
        st.strings_checked = sum(x.strings_checked for x in lanes)
        st.minimize_errors = sum(x.minimize_errors for x in lanes)
        st.seconds_python = sum(x.seconds_python for x in lanes)
        st.seconds_go = sum(x.seconds_go for x in lanes)
        st.seconds_minimize = sum(x.seconds_minimize for x in lanes)

    # --- Go vs Go ---

    def _check_pair(self, data: bytes, old: _View, new: _View, ties: bool,
                    mutations: list[str], seed: str | None) -> None:
        name = pair_name(old.release, new.release)
        ps = self.stats.lanes.get(name)
        if ps is None:
            ps = self.stats.lanes[name] = CaseStats()
        ps.cases += 1
        c: Comparison | None = None
        t0 = time.perf_counter()
        if not old.same_bytes(new) and (
                old.answer() != new.answer() or comparable(old.release, new.release)):
            c = release_change(old.release, old.outcome(), new.release, new.outcome(), ties=ties)
        ps.seconds_go += time.perf_counter() - t0
        if c is None:
            ps.verdicts[Verdict.AGREE.value] += 1
            return
        sig = c.signature
        if sig not in self._saved and not self.store.is_known(sig) \
                and not self._confirmed(data, old, new, sig, ties):
            ps.verdicts["release-flaky"] += 1  # Go's nondeterminism: no finding
            return
        ps.verdicts[c.verdict.value] += 1
        ps.signatures[sig] += 1
        if sig in self._saved:
            return
        if self.store.is_known(sig):
            ps.known_cases += 1
            ps.known_signatures[sig] += 1
            return
        self._saved.add(sig)
        path = self._save(data, c, old, new, mutations, seed, ps)
        f = NewFinding(sig, c.verdict.value, str(path), seed, list(mutations), release=name,
                       command=replay_command([old.release, new.release], f"{path}/repro.trace"))
        ps.new.append(f)
        self.stats.new.append(f)

    def _lane(self, release: str) -> _Lane:
        return self.lanes[self.releases.index(release)]

    def _go_run(self, release: str, data: bytes, strings: bool = True) -> Outcome:
        """A fresh answer of ``release``'s Go (``Event.String()`` included unless told)."""
        lane = self._lane(release)
        helper = lane.helper if isinstance(lane, _GoLane) else lane._helper
        assert helper is not None, "cross-release lanes run real helpers"
        return outcome_from_helper(f"go{release}", request_parse(helper, data, strings=strings),
                                   strings=strings)

    def _signature(self, data: bytes, old: str, new: str, strings: bool = True) -> str | None:
        c = release_change(old, self._go_run(old, data, strings), new,
                           self._go_run(new, data, strings), ties=ties_possible(data))
        return None if c is None else c.signature

    def _confirmed(self, data: bytes, old: _View, new: _View, sig: str, ties: bool) -> bool:
        """Whether both releases, asked again, disagree the same way every time."""
        strings = old.strings and new.strings
        runs = _CONFIRM_RUNS_V1 if ties else _CONFIRM_RUNS
        if any((v.answer() or "").startswith("crash") for v in (old, new)):
            runs = 1  # a hang costs the helper's whole timeout per request
        return all(self._signature(data, old.release, new.release, strings) == sig
                   for _ in range(runs))

    def _save(self, data: bytes, c: Comparison, old: _View, new: _View, mutations: list[str],
              seed: str | None, ps: CaseStats) -> Path:
        """Save a release change as found, then minimized; return its directory."""
        releases = [old.release, new.release]
        kw: dict[str, Any] = dict(
            toolchain=pair_name(*releases), mutations=mutations, seed=seed,
            extra={"releases": releases}, sides=(f"go{old.release}", f"go{new.release}"),
            replay=replay_command(releases, "repro.trace"))
        path = self.store.save(data, c, old.outcome(), new.outcome(), minimized=None, **kw)
        if not self.minimize:
            return path
        from oracle.diff.minimize import minimize

        def keep(candidate: bytes) -> bool:
            return (not self._should_stop()
                    and self._signature(candidate, old.release, new.release) == c.signature)

        t0 = time.perf_counter()
        try:
            small = minimize(data, keep, deadline=time.monotonic() + self.minimize_seconds)
        except Exception:  # noqa: BLE001 - a minimizer bug must not cost the finding
            ps.minimize_errors += 1
            return path
        finally:
            ps.seconds_minimize += time.perf_counter() - t0
        if len(small) >= len(data):
            return path
        a, b = self._go_run(old.release, small), self._go_run(new.release, small)
        c2 = release_change(old.release, a, new.release, b, ties=ties_possible(small))
        if c2 is None or c2.signature != c.signature:
            return path  # flaky: keep the original
        return self.store.save(data, c2, a, b, minimized=small, **kw)
