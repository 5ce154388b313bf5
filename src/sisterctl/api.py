"""sisterctl as a library: open a registry, ask it questions, record what happened.

    import sisterctl

    reg = sisterctl.open("partnerships.toml")
    for tie in reg.ties(city="Taipei"):
        print(tie.id, tie.established)
    reg.add_exchange("taipei-daegu", date="2026-05-01", kind="visit", title="Spring visit")

A thin layer over the store and the core, with the guarantees of the command line:
every write takes the registry's lock, appends atomically and is verified before it
replaces the file; a refused request raises an error of the `sisterctl.errors`
family and writes nothing. docs/api.md documents it, with examples a test runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sisterctl.dates import PartialDate, parse_partial_date
from sisterctl.errors import RefusedError, UsageError
from sisterctl.model import LeapDay, Partnership, Record, Registry, Status

if TYPE_CHECKING:
    from sisterctl.core.anniversaries import Span, UpcomingReport
    from sisterctl.core.check import CheckReport
    from sisterctl.store.appends import Appended
    from sisterctl.store.view import View

DateLike = str | dt.date | PartialDate
TieName = str | Sequence[str]
_R = TypeVar("_R")  # a request of `sisterctl.core.edits`


def open(path: str | Path | None = None, *, index: bool = False) -> RegistryFile:
    """The registry file at `path` (a `str` or a `Path`), or the registry bundled with
    sisterctl when None. With `index`, reads go through the registry's index in the
    user cache folder (made when missing, as the command line does) and writes keep
    it up to date; without, nothing is written but the registry itself."""
    from sisterctl.store.location import bundled_path

    if path is None:
        return RegistryFile(bundled_path(), index=index, bundled=True)
    return RegistryFile(Path(path).expanduser(), index=index)


class RegistryFile:
    """A registry file, read afresh for each question (so that what another process
    or a person wrote in between is seen)."""

    def __init__(self, path: Path, *, index: bool = False, bundled: bool = False) -> None:
        self.path = path
        self.index = index
        self.bundled = bundled

    def __repr__(self) -> str:
        return f"sisterctl.open({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------
    def _view(self) -> View:
        from sisterctl.store.view import open_view

        return open_view(self.path, index=self.index)

    def registry(self) -> Registry:
        """Every record: the checked model (`sisterctl.model.Registry`)."""
        view = self._view()
        try:
            return view.registry()
        finally:
            view.close()

    def ties(
        self,
        *,
        city: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        status: Status | str | None = None,
        field: str | None = None,
        since: int | None = None,
        until: int | None = None,
        sort: str = "established",
    ) -> list[Partnership]:
        """The ties that pass every filter given, as `sisterctl list` selects them:
        `city` by id, name, alias or local name (ignoring case and accents), `country`
        by ISO code or English name, `status` as of now; oldest first, or by `sort`
        (established, city, country, kind, status, id)."""
        from sisterctl.core.query import Filters, SortKey, select, sort_ties

        try:
            order = SortKey(sort)
            wanted = Status(status) if status is not None else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        filters = Filters(city, country, kind, wanted, field, since, until)
        view = self._view()
        try:
            registry = view.select(filters)
        finally:
            view.close()
        return sort_ties(registry, select(registry, filters), order)

    def tie(self, name: TieName) -> Partnership:
        """The tie `name` names: its id (`"taipei-daegu"`), its title
        (`"Taipei–Daegu"`), its two cities (`("Taipei", "Daegu")`, or `"Taipei Daegu"`
        when each name is one word). Raises NotFoundError, with suggestions."""
        return self._find(name)[1]

    def _find(self, name: TieName) -> tuple[Registry, Partnership]:
        from sisterctl.errors import NotFoundError

        words = _words(name)
        view = self._view()
        try:
            try:
                return view.find(words)
            except NotFoundError:
                two = words[0].split() if len(words) == 1 else []
                if len(two) != 2:
                    raise
                return view.find(two)
        finally:
            view.close()

    def upcoming(
        self,
        *,
        as_of: DateLike | None = None,
        within: int | str | Span = 30,
        city: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        milestones: bool = False,
        agreements: bool = False,
        include_ended: bool = False,
        leap_day: LeapDay | str | None = None,
        lapsed_for: int | None = None,
    ) -> UpcomingReport:
        """The anniversaries in the window of `within` from `as_of` (today when None),
        as `sisterctl upcoming` lists them: `within` in days, or a length such as
        "6w", "3m", "1y". With `lapsed_for` (days), as `sisterctl export ics` finds
        them: the anniversaries a tie loses when it ends or is suspended are in the
        report's `lapsed` for that many days after."""
        from sisterctl.core.anniversaries import Span, parse_span
        from sisterctl.core.query import Filters

        if isinstance(within, Span):
            span = within
        elif isinstance(within, int) and not isinstance(within, bool):
            span = parse_span(str(within))
        elif isinstance(within, str):
            span = parse_span(within)
        else:
            raise UsageError(
                f"within must be a number of days or a length such as '1y', not {within!r}"
            )
        view = self._view()
        try:
            return view.upcoming(
                _day(as_of),
                span,
                filters=Filters(city=city, country=country, kind=kind),
                include_agreements=agreements,
                include_ended=include_ended,
                milestones_only=milestones,
                leap_day=LeapDay(leap_day) if leap_day is not None else None,
                lapsed_for=lapsed_for,
            )
        finally:
            view.close()

    def check(self, *, as_of: DateLike | None = None, strict: bool = False) -> CheckReport:
        """Every problem in the file, as `sisterctl check` reports it (a report whose
        `readable` is False when the file cannot be read or parsed at all)."""
        from sisterctl.core.check import check_text, unreadable_report
        from sisterctl.errors import RegistryError
        from sisterctl.store.read import read_text

        try:
            report = check_text(read_text(self.path), str(self.path), _day(as_of))
        except RegistryError as exc:
            report = unreadable_report(str(self.path), exc)
        return report.strict() if strict else report

    # -- writing ---------------------------------------------------------------
    # Every write is one request, planned by the core on the registry read under the
    # lock and appended by the store (`_append`): lock, dry run, verification, index.

    def _append(
        self,
        plan: Callable[[Registry], Sequence[Record]],
        *,
        tie: Sequence[str] | None,
        dry_run: bool,
    ) -> Appended:
        from sisterctl.store.appends import append

        if self.bundled:
            raise RefusedError(
                "the bundled registry is read-only: open a registry of your own "
                "(sisterctl.open(path))"
            )
        return append(self.path, plan, dry_run=dry_run, tie=tie, index=self.index)

    def _append_to_tie(
        self,
        tie: TieName,
        request: Callable[[list[str]], _R],
        plan: Callable[[Registry, _R], Sequence[Record]],
        dry_run: bool,
    ) -> Appended:
        """Append what `plan` makes of the `request` about one tie (given the words that
        name it), reading only that tie where the index serves."""
        words = self._tie_words(tie)
        made = request(words)
        return self._append(lambda reg: plan(reg, made), tie=words, dry_run=dry_run)

    def add_partnership(
        self,
        city: str,
        other: str,
        *,
        established: DateLike,
        kind: str | None = None,
        fields: Iterable[str] = (),
        sources: Iterable[str] = (),
        notes: str | None = None,
        title: str | None = None,
        signatories: Iterable[str] = (),
        mode: str | None = None,
        venue: str | None = None,
        dry_run: bool = False,
    ) -> Appended:
        """Record a new tie between two cities, each "NAME, COUNTRY" or a city the
        registry holds, founded by the agreement signed on `established`."""
        from sisterctl.core.edits import NewTie, new_tie

        request = NewTie(
            cities=(city, other),
            established=_date(established),
            kind=kind,
            fields=tuple(fields),
            sources=tuple(sources),
            notes=notes,
            title=title,
            signatories=tuple(signatories),
            mode=mode,
            venue=venue,
        )
        return self._append(lambda reg: new_tie(reg, request), tie=None, dry_run=dry_run)

    def add_agreement(
        self,
        tie: TieName,
        *,
        date: DateLike,
        title: str,
        kind: str | None = None,
        to_kind: str | None = None,
        signatories: Iterable[str] = (),
        mode: str | None = None,
        venue: str | None = None,
        fields: Iterable[str] = (),
        planned: bool = False,
        notes: str | None = None,
        sources: Iterable[str] = (),
        force: bool = False,
        dry_run: bool = False,
    ) -> Appended:
        """Record an agreement signed (or, `planned`, to be signed) on a tie."""
        from sisterctl.core.edits import NewAgreement, new_agreement

        def request(words: list[str]) -> NewAgreement:
            return NewAgreement(
                tie=words,
                date=_date(date),
                title=title,
                kind=kind,
                to_kind=to_kind,
                signatories=tuple(signatories),
                mode=mode,
                venue=venue,
                fields=tuple(fields),
                planned=planned,
                notes=notes,
                sources=tuple(sources),
                force=force,
            )

        return self._append_to_tie(tie, request, new_agreement, dry_run)

    def add_exchange(
        self,
        tie: TieName,
        *,
        date: DateLike,
        kind: str,
        title: str,
        details: str | None = None,
        sources: Iterable[str] = (),
        force: bool = False,
        dry_run: bool = False,
    ) -> Appended:
        """Record an exchange on a tie: a visit, a delegation, a festival..."""
        from sisterctl.core.edits import NewExchange, new_exchange

        def request(words: list[str]) -> NewExchange:
            return NewExchange(
                tie=words,
                date=_date(date),
                kind=kind,
                title=title,
                details=details,
                sources=tuple(sources),
                force=force,
            )

        return self._append_to_tie(tie, request, new_exchange, dry_run)

    def end(
        self,
        tie: TieName,
        *,
        date: DateLike,
        reason: str | None = None,
        suspend: bool = False,
        sources: Iterable[str] = (),
        dry_run: bool = False,
    ) -> Appended:
        """Record that a tie ended (or, `suspend`, was suspended) on `date`."""
        status = Status.SUSPENDED if suspend else Status.ENDED
        return self._status(tie, status, date, reason, sources, False, dry_run)

    def resume(
        self,
        tie: TieName,
        *,
        date: DateLike,
        reason: str | None = None,
        sources: Iterable[str] = (),
        force: bool = False,
        dry_run: bool = False,
    ) -> Appended:
        """Record that a suspended tie (with `force`, an ended one) is active again."""
        return self._status(tie, Status.ACTIVE, date, reason, sources, force, dry_run)

    def _status(
        self,
        tie: TieName,
        status: Status,
        date: DateLike,
        reason: str | None,
        sources: Iterable[str],
        force: bool,
        dry_run: bool,
    ) -> Appended:
        from sisterctl.core.edits import NewStatus, change_status

        def request(words: list[str]) -> NewStatus:
            return NewStatus(
                tie=words,
                date=_date(date),
                status=status,
                reason=reason,
                sources=tuple(sources),
                force=force,
            )

        return self._append_to_tie(tie, request, change_status, dry_run)

    def _tie_words(self, tie: TieName) -> list[str]:
        """The words that name a tie, as the store looks it up: "Taipei Daegu" as two
        cities when no tie has that id or title."""
        if isinstance(tie, Partnership):
            return [tie.id]
        words = _words(tie)
        if len(words) == 1 and len(words[0].split()) == 2:
            return [self._find(words[0])[1].id]
        return words


def _words(name: TieName | Partnership) -> list[str]:
    if isinstance(name, Partnership):
        return [name.id]
    if isinstance(name, str):
        return [name]
    words = list(name)
    if not all(isinstance(w, str) for w in words):
        raise UsageError("a tie is named by its id, or by its two cities' names")
    return words


def _date(value: DateLike) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.datetime):
        raise UsageError("a date, not a date and time")
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, str):
        return parse_partial_date(value)
    raise UsageError(f"a date such as '2010-11-04', '2010-11' or '2010', not {value!r}")


def _day(value: DateLike | None) -> dt.date:
    """The reference day: a full date, today when None."""
    if value is None:
        return dt.date.today()
    day = _date(value).to_date()
    if day is None:
        raise UsageError(f"as_of needs a full date such as 2026-11-28, not {value!r}")
    return day


__all__ = ["RegistryFile", "open"]
