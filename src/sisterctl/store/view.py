"""A registry file as commands and the library read it: only the records a question
needs, from the index when there is one, else from the file, read whole.

Each question (`select`, `find`, `upcoming`, ...) is answered by the pure core
(`sisterctl.core`) run on a *sub-registry*: a `Registry` holding just the ties that
may answer it, with their cities, agreements, exchanges and status changes, in file
order, so that the core gives exactly what it gives on the whole registry. The facts
that need the whole registry (how many ties it holds, the ids to suggest for a tie
not found, the ties with no known founding date in a report) come from the index's
SQL. Without an index the sub-registry is the whole registry. docs/store.md says why
each selection holds every tie the core could pick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sisterctl.store import index as store_index
from sisterctl.terms import Status
from sisterctl.text import fold

if TYPE_CHECKING:
    from sisterctl.core.anniversaries import Listing, Span, UpcomingReport, Window
    from sisterctl.core.facts import TieFacts
    from sisterctl.core.query import Filters, Named
    from sisterctl.model import LeapDay, Partnership, Registry

T = TypeVar("T")


def open_view(path: Path, *, index: bool = False) -> View:
    """The registry file at `path`, to be read a question at a time. With `index`, from
    its index (made, or made again, when it is missing or stale); else parsed whole."""
    if index and store_index.enabled():
        try:
            found = store_index.lookup(path)
        except OSError:
            found = None  # load() says what is wrong with the file
        if found is not None:
            return IndexedView(path, found)
    from sisterctl.store.read import load

    return View(path, load(path, index=index))


class View:
    """A registry read whole: every question is answered from it."""

    def __init__(self, path: Path, registry: Registry) -> None:
        self.path = path
        self._registry = registry

    def close(self) -> None:
        pass

    def registry(self, *, exchanges: bool = True) -> Registry:
        """Every record (with `exchanges=False`, maybe without the exchanges)."""
        return self._registry

    def tie_count(self) -> int:
        return len(self._registry.partnerships)

    def select(self, filters: Filters) -> Registry:
        """A registry on which `core.query.select(_, filters)` gives what it gives on
        the whole registry (exchanges left out)."""
        return self._registry

    def find(self, words: Sequence[str]) -> tuple[Registry, Partnership]:
        """The tie `words` name (`core.query.find_tie`), in a registry that holds it
        with all its records."""
        from sisterctl.core.query import find_tie

        return self._registry, find_tie(self._registry, words)

    def upcoming(
        self,
        as_of: dt.date,
        within: Span,
        *,
        filters: Filters | None = None,
        include_agreements: bool = False,
        include_ended: bool = False,
        milestones_only: bool = False,
        leap_day: LeapDay | None = None,
        limit: int | None = None,
        lapsed_for: int | None = None,
    ) -> UpcomingReport:
        """`core.anniversaries.upcoming_anniversaries` of the registry."""
        from sisterctl.core.anniversaries import upcoming_anniversaries

        return upcoming_anniversaries(
            self._upcoming_registry(as_of, within, filters, include_agreements),
            as_of,
            within,
            filters=filters,
            include_agreements=include_agreements,
            include_ended=include_ended,
            milestones_only=milestones_only,
            leap_day=leap_day,
            limit=limit,
            lapsed_for=lapsed_for,
        )

    def listing(
        self,
        as_of: dt.date,
        within: Span,
        *,
        filters: Filters | None = None,
        include_ended: bool = False,
        milestones_only: bool = False,
        leap_day: LeapDay | None = None,
    ) -> UpcomingReport | Listing:
        """The founding anniversaries `upcoming` lists: the rows and order of
        `upcoming(...)` without agreements. From the whole registry: `upcoming` itself."""
        return self.upcoming(
            as_of,
            within,
            filters=filters,
            include_ended=include_ended,
            milestones_only=milestones_only,
            leap_day=leap_day,
        )

    def list_facts(self, filters: Filters) -> list[TieFacts] | None:
        """The facts of the ties `core.query.select` picks, in file order, read without
        a model record (a --city: the ties whose records name a city it means, found
        by the cities' records); None when they cannot be (read whole, or a kind or field, which the
        core decides from records): then `select` answers."""
        return None

    def _upcoming_registry(
        self, as_of: dt.date, within: Span, filters: Filters | None, agreements: bool
    ) -> Registry:
        return self._registry


class IndexedView(View):
    """A registry read from its index, a question at a time. Should the index fail
    (an SQLite error, a row that does not decode), the file is read whole after all,
    and indexed again."""

    def __init__(self, path: Path, found: store_index.Index) -> None:
        self.path = path
        self._index: store_index.Index | None = found
        self._whole: View | None = None

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    def _ask(self, question: Callable[[store_index.Index], T], whole: Callable[[View], T]) -> T:
        from sisterctl.errors import SisterctlError

        if self._index is not None:
            try:
                return question(self._index)
            except SisterctlError:
                raise
            except Exception:
                self._index.close()
                self._index = None
        if self._whole is None:
            from sisterctl.store.read import load

            self._whole = View(self.path, load(self.path, index=True))
        return whole(self._whole)

    def registry(self, *, exchanges: bool = True) -> Registry:
        return self._ask(
            lambda index: _registry(index, exchanges=exchanges),
            lambda view: view.registry(),
        )

    def tie_count(self) -> int:
        return self._ask(lambda index: index.ties, lambda view: view.tie_count())

    def select(self, filters: Filters) -> Registry:
        def question(index: store_index.Index) -> Registry:
            where, params, cities = _filter_sql(index, filters)
            # --field also matches the fields of a tie's exchanges: then they are read.
            exchanges = filters.field is not None
            if where is None:
                return _registry(index, exchanges=exchanges)
            kinds = bool(filters.kind or filters.status)
            return _registry(index, where, params, cities=cities, exchanges=exchanges, kinds=kinds)

        return self._ask(question, lambda view: view.select(filters))

    def find(self, words: Sequence[str]) -> tuple[Registry, Partnership]:
        from sisterctl.core.query import find_tie

        def question(index: store_index.Index) -> Registry:
            where, cities = _tie_sql(index, words)
            return _registry(index, where, cities=cities)

        sub = self._ask(question, lambda view: view.registry())
        if self._index is None:  # read whole after all
            return sub, find_tie(sub, words)
        return sub, find_tie(sub, words, all_ids=self.tie_ids)

    def tie_ids(self) -> list[str]:
        """Every tie's id, in file order (for suggestions)."""
        return self._ask(lambda index: index.tie_ids(), lambda view: list(view.registry().by_id))

    def upcoming(
        self,
        as_of: dt.date,
        within: Span,
        *,
        filters: Filters | None = None,
        include_agreements: bool = False,
        include_ended: bool = False,
        milestones_only: bool = False,
        leap_day: LeapDay | None = None,
        limit: int | None = None,
        lapsed_for: int | None = None,
    ) -> UpcomingReport:
        report = super().upcoming(
            as_of,
            within,
            filters=filters,
            include_agreements=include_agreements,
            include_ended=include_ended,
            milestones_only=milestones_only,
            leap_day=leap_day,
            limit=limit,
            lapsed_for=lapsed_for,
        )
        if self._index is None:
            return report

        def undated(index: store_index.Index) -> int:
            from sisterctl.core.query import Filters, select

            chosen = filters or Filters()
            where, params, cities = _filter_sql(index, chosen)
            where = "precision IS NULL" + (f" AND ({where})" if where else "")
            if not include_ended:
                where += f" AND status != '{Status.ENDED.value}'"
            if chosen.field is None:
                return index.count(where, params)
            sub = _registry(index, where, params, cities=cities, exchanges=False, kinds=True)
            return len(select(sub, chosen))

        import dataclasses

        return dataclasses.replace(report, undated=self._ask(undated, lambda view: report.undated))

    def listing(
        self,
        as_of: dt.date,
        within: Span,
        *,
        filters: Filters | None = None,
        include_ended: bool = False,
        milestones_only: bool = False,
        leap_day: LeapDay | None = None,
    ) -> UpcomingReport | Listing:
        """From the facts the index keeps of each tie (`Index.tie_facts`), without a
        model record: the ties a window may hold, chosen by SQL on their month and day,
        and the filters SQL decides exactly (country, status, years); a --city by the
        ties' records, which name their cities (`Index.tie_facts(of_cities=...)`),
        once the cities it means are found by theirs.
        A filter by kind or field is decided by the core on the ties it may choose,
        which are few or wanted rarely: then `upcoming` answers."""
        chosen = filters

        def whole(view: View) -> UpcomingReport | Listing:
            """The answer from records: `upcoming` itself."""
            return View.listing(
                view,
                as_of,
                within,
                filters=filters,
                include_ended=include_ended,
                milestones_only=milestones_only,
                leap_day=leap_day,
            )

        if chosen is not None and (chosen.kind or chosen.field):
            return whole(self)
        from sisterctl.core.listing import listed_anniversaries
        from sisterctl.core.query import Filters
        from sisterctl.core.windows import Window

        window = Window.of(as_of, within)

        def question(index: store_index.Index) -> Listing:
            filters = chosen or Filters()
            where, params, cities = _filter_sql(index, filters)
            counted = where
            if not include_ended:
                counted = f"status != '{Status.ENDED.value}'" + (f" AND ({where})" if where else "")
            undated = index.count(
                "precision IS NULL" + (f" AND ({counted})" if counted else ""), params
            )
            # A long window holds an anniversary of most ties: the core picks them from
            # every dated tie faster than SQL would by their days.
            when = "precision IS NOT NULL" if window.days > 180 else _window_sql("", window)
            facts = index.tie_facts(
                f"({when})" + (f" AND ({where})" if where else ""),
                params,
                of_cities=_meant(index, filters, cities),
            )
            return listed_anniversaries(
                _passing(facts, filters),
                as_of,
                within,
                leap_day=leap_day or index.leap_day,
                include_ended=include_ended,
                milestones_only=milestones_only,
                undated=undated,
            )

        return self._ask(question, whole)

    def list_facts(self, filters: Filters) -> list[TieFacts] | None:
        if filters.kind or filters.field or self._index is None:
            return None

        def question(index: store_index.Index) -> list[TieFacts] | None:
            where, params, cities = _filter_sql(index, filters)
            meant = _meant(index, filters, cities)
            facts = index.tie_facts(where or "1", params, file_order=True, of_cities=meant)
            return _passing(facts, filters)

        return self._ask(question, lambda view: None)

    def _upcoming_registry(
        self, as_of: dt.date, within: Span, filters: Filters | None, agreements: bool
    ) -> Registry:
        from sisterctl.core.query import Filters
        from sisterctl.core.windows import Window

        window = Window.of(as_of, within)

        def question(index: store_index.Index) -> Registry:
            where, params, cities = _filter_sql(index, filters or Filters())
            if window.days >= 366:
                # Every dated tie may have an anniversary in a year: read the ties the
                # filters choose (every tie when none), without a selection by date
                # that would keep nearly all of them at the cost of checking each.
                kinds = bool(filters and filters.kind)
                if where is None:
                    return _registry(index, exchanges=False)
                return _registry(index, where, params, cities=cities, exchanges=False, kinds=kinds)
            when = _window_sql("", window)
            if agreements:
                when = (
                    f"({when}) OR n IN (SELECT tie FROM agreement WHERE {_window_sql('', window)})"
                )
            where = f"({when})" + (f" AND ({where})" if where else "")
            kinds = bool(filters and filters.kind)
            return _registry(index, where, params, cities=cities, exchanges=False, kinds=kinds)

        return self._ask(question, lambda view: view.registry())


def _registry(index: store_index.Index, *args: Any, **kwargs: Any) -> Registry:
    """`index_records.registry`: the model records, imported by the questions that
    read them (`upcoming` reads none, and starts without the model)."""
    from sisterctl.store import index_records

    return index_records.registry(index, *args, **kwargs)


# ---------------------------------------------------------------------------
# The SQL of each question: the ties that may answer it (a few more do no harm: the
# core, run on them, picks exactly; one fewer would be a wrong answer).


def _filter_sql(
    index: store_index.Index, filters: Filters
) -> tuple[str | None, list[Any], str | None]:
    """(where, parameters, cities): the ties that may pass `filters`, and the cities a
    --city names (so that the core finds them by name in the sub-registry too)."""
    from sisterctl.core.query import country_code

    where: list[str] = []
    params: list[Any] = []
    cities = None
    if filters.city:
        cities = index.cities_named(filters.city)
        where.append(f"(city_a IN ({cities}) OR city_b IN ({cities}))")
    if filters.country:
        code = country_code(filters.country)
        where.append("(country_a = ? OR country_b = ?)")
        params += [code, code]
    if filters.kind:
        # The kinds --kind means, as the core matches them (whole words, in order),
        # among the few the registry's ties have (folded, as the columns hold them).
        from sisterctl.core.query import kind_matcher

        matches = kind_matcher(filters.kind)
        kinds = [kind for kind in index.kinds() if matches(kind)]
        marks = ", ".join("?" * len(kinds))
        where.append(f"(kind IN ({marks}) OR kind_now IN ({marks}))" if kinds else "0")
        params += kinds * 2
    if filters.status:
        where.append("status = ?")
        params.append(filters.status.value)
    if filters.since is not None:
        where.append("year >= ?")
        params.append(filters.since)
    if filters.until is not None:
        where.append("year <= ?")
        params.append(filters.until)
    return (" AND ".join(where) if where else None), params, cities


def _meant(index: store_index.Index, filters: Filters, cities: str | None) -> set[str] | None:
    """The ids of the cities filters.city means (None: no --city), as the core finds
    them (`find_cities`), among those the index names (`cities`, from `_filter_sql`),
    by their records."""
    if not filters.city or cities is None:
        return None
    from sisterctl.core.query import cities_meant

    named: Mapping[str, Named] | None = index.city_names(cities)
    if named is None:  # a city not in the plain form: its model record gives its names
        named = _registry(index, "0", cities=cities, exchanges=False).cities
    return {city.id for city in cities_meant(named, filters.city, partial=True)}


def _passing(facts: list[TieFacts], filters: Filters) -> list[TieFacts]:
    """The facts of the ties that pass the filters the SQL chose them by, as the facts
    say it (a column that lies keeps a row out at most). (A --city is decided as the
    facts are read: `Index.tie_facts(of_cities=...)`.)"""
    from sisterctl.core.query import Filters, country_code

    if filters._replace(city=None) == Filters():
        return facts
    code = country_code(filters.country) if filters.country else None
    return [tie for tie in facts if _facts_pass(tie, filters, code)]


def _facts_pass(tie: TieFacts, filters: Filters, country: str | None) -> bool:
    """Whether a tie passes the filters `IndexedView.listing` and `list_facts` let SQL
    choose by (with `country` the code of filters.country), as `core.query.select`
    decides from the tie's records, here from its facts."""
    if country is not None and country not in tie.countries:
        return False
    if filters.status is not None and tie.status is not filters.status:
        return False
    year = tie.founded[0] if tie.founded else None
    if filters.since is not None and (year is None or year < filters.since):
        return False
    return filters.until is None or (year is not None and year <= filters.until)


def _tie_sql(index: store_index.Index, words: Sequence[str]) -> tuple[str, str | None]:
    """(where, cities): every tie `core.query.find_tie(_, words)` may return or name in
    its refusal, and the cities it may look up by name."""
    from sisterctl.store.index import _literal

    if len(words) == 1:
        query = words[0].strip()
        low = query.lower()
        ids = {query, low}
        ids.update(f"{low[cut + 1 :]}-{low[:cut]}" for cut, char in enumerate(low) if char == "-")
        found = [f"id IN ({', '.join(_literal(i) for i in sorted(ids))})"]
        cities: list[str] = []
        sep = next((s for s in ("–", "—") if s in query), None)
        if sep is not None:
            parts = [part.strip() for part in query.split(sep, 1)]
            pair, named = _tie_sql(index, parts)
            found.append(pair)
            if named:
                cities.append(named)
        else:
            # `show Taipei`: the refusal names the city's ties.
            wanted = _literal(fold(query))
            exact = (
                f"SELECT n FROM city WHERE id = {wanted} "
                f"UNION SELECT city FROM city_name WHERE name = {wanted}"
            )
            found.append(f"city_a IN ({exact}) OR city_b IN ({exact})")
            cities.append(exact)
        return " OR ".join(f"({w})" for w in found), (" UNION ".join(cities) if cities else None)
    if len(words) == 2:
        first, second = index.cities_named(words[0]), index.cities_named(words[1])
        where = (
            f"(city_a IN ({first}) AND city_b IN ({second})) OR "
            f"(city_a IN ({second}) AND city_b IN ({first}))"
        )
        return where, f"{first} UNION {second}"
    return "0", None


def _window_sql(prefix: str, window: Window) -> str:
    """The rows (of `tie` or `agreement`) whose date has, or may have, an anniversary in
    the window: every date known to its year; those known to a month the window
    touches; those known to a day of the window (29 February when the window holds the
    day its anniversary moves to in a common year), as runs of days of the year (a
    year's window is one or two of them)."""
    if window.days >= 366:
        return f"{prefix}precision IS NOT NULL"
    months: set[int] = set()
    wanted: set[int] = set()  # each day of the window as month * 100 + day
    day = window.start
    one = dt.timedelta(days=1)
    while day <= window.last:
        months.add(day.month)
        wanted.add(day.month * 100 + day.day)
        day += one
    if wanted & {228, 301}:
        wanted.add(229)
    runs: list[list[int]] = []
    for place, md in enumerate(_DAYS_OF_YEAR):
        if md in wanted:
            if runs and runs[-1][1] == place - 1:
                runs[-1][1] = place
            else:
                runs.append([place, place])
    of_year = f"{prefix}month * 100 + {prefix}day"
    days = " OR ".join(
        f"{of_year} BETWEEN {_DAYS_OF_YEAR[a]} AND {_DAYS_OF_YEAR[b]}" for a, b in runs
    )
    month_list = ", ".join(str(m) for m in sorted(months))
    return (
        f"{prefix}precision = 'year' OR ({prefix}precision = 'month' AND {prefix}month IN "
        f"({month_list})) OR ({prefix}precision = 'day' AND ({days}))"
    )


# Every day of a leap year, as month * 100 + day, in order.
_DAYS_OF_YEAR = tuple(
    d.month * 100 + d.day for d in (dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(366))
)
