"""The one error family of sisterctl, its exit codes, and what an error says.

The core raises these; the CLI catches them once, at the top, and prints the message
as one line on standard error with the exit code of the error's class.

An error carries its structure, so that a program can act on it without reading the
message: what went wrong (`what`, the message without the file), which record
(`record`: table, position, id) and which key of it (`key`), which value of the
request (`param`), the file, line and column when known, and what the caller may do
about it (`hint`, such as `Hint.FORCE`). The core speaks of its own concepts only: a
message names something the caller can do, or a value of the request, as a `Hint` or
a `Param` among its words, and each front end says those in its own words
(`render(words)`): the CLI's `Hint.FORCE` is "run again with --force", the library's
"pass force=True".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import NamedTuple


class ExitCode(IntEnum):
    """Exit codes, documented in the README."""

    OK = 0
    REFUSED = 1  # the request was understood but refused: bad value, unknown tie, duplicate
    USAGE = 2  # the command line itself is wrong: unknown option, missing argument
    REGISTRY = 3  # the registry cannot be found, read or parsed, or is invalid
    BUSY = 4  # another process holds the registry's write lock
    INTERNAL = 70  # a bug in sisterctl (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class Hint(StrEnum):
    """Something the caller may do about an error, named in sisterctl's own terms."""

    FORCE = "force"  # ask again, forced: the request's `force=True`
    INIT = "init"  # make a registry of one's own
    CREATE = "create"  # create the registry file the error's `path` names
    NAME_REGISTRY = "name-registry"  # name another registry
    ADD_AGREEMENT = "add-agreement"  # record an agreement on the tie `record` names
    EXPORT_JSON = "export-json"  # write a sisterctl JSON export to import
    MAP_COLUMN = "map-column"  # say which column holds a field (the error's `key`)
    GEOCODE = "geocode"  # give a city the registry holds coordinates, by a place's id
    ADD_CITY = "add-city"  # record a new city on its own, first
    EDIT = "edit"  # change values of the record `record` names, in place
    SHOW = "show"  # see the ids of a tie's agreements and exchanges (of `record`'s tie)
    SIGN = "sign"  # record the signing of a planned agreement (`HintOn`: its id)
    GEOCODE_ALL = "geocode-all"  # fill in the coordinates of every city that has none
    GEOCODE_CITY = "geocode-city"  # fill in the coordinates of the city `record` names
    CHECK = "check"  # the checks of a whole registry, as `check` runs them
    CHOOSE_PLACE = "choose-place"  # as GEOCODE, in a note rather than an error


class Param(StrEnum):
    """A value a request takes, by its name in the core (the CLI names its option)."""

    WITHIN = "within"  # how far ahead anniversaries are looked for: 30, 6w, 3m, 1y
    REMIND = "remind"  # how long before an anniversary a calendar reminds
    REFRESH = "refresh"  # how often a subscribed calendar is fetched again
    MAPPING = "mapping"  # which column of a CSV file holds which field
    GEONAMES = "geonames"  # the id of a gazetteer place, chosen by hand
    LAT = "lat"  # a latitude given by hand
    LON = "lon"  # a longitude given by hand
    CITY = "city"  # the one city a request is about
    CITY_NAMES = "city names"  # the local name, aliases, kind... of a tie's new city
    SET = "set"  # a value an edit sets: KEY=VALUE
    ADD = "add"  # a value an edit adds to a list: KEY=VALUE
    AS_OF = "as_of"  # the day a report or a site is made as of


class HintOn(NamedTuple):
    """A Hint about one thing that the error's record does not name: the planned
    agreement to sign, by its id (`HintOn(Hint.SIGN, "taipei-daegu/2021-memorandum")`).
    (A NamedTuple: every command imports this module, and a frozen dataclass takes
    ten times as long to create.)"""

    hint: Hint
    subject: str


#: A term of a message, which each front end words its own way.
Term = Hint | Param | HintOn
#: A piece of a message: text, or a term.
Part = str | Term
_TERMS = (Hint, Param, HintOn)  # (Hint and Param are strings too)


class RecordRef:
    """A record by table and position: the 3rd [[partnership]] is ("partnership", 2).
    The position is None for a record known by its id alone. Compared, hashed and
    frozen as a frozen dataclass would be (a plain class: faster to create)."""

    __slots__ = ("id", "index", "table")
    table: str
    index: int | None
    id: str | None

    def __init__(self, table: str, index: int | None, id: str | None = None) -> None:
        set_field = object.__setattr__
        set_field(self, "table", table)
        set_field(self, "index", index)
        set_field(self, "id", id)

    def _key(self) -> tuple[str, int | None, str | None]:
        return (self.table, self.index, self.id)

    def __eq__(self, other: object) -> bool:
        return type(other) is RecordRef and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"RecordRef(table={self.table!r}, index={self.index!r}, id={self.id!r})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a RecordRef is frozen")

    def describe(self) -> str:
        name = f" {self.id!r}" if self.id else ""
        number = f" #{self.index + 1}" if self.index is not None else ""
        return f"[[{self.table}]]{number}{name}"


#: How a front end says the terms of a message: (term, the error) -> words.
Words = Callable[[Term, "SisterctlError"], str]


def library_words(term: Term, error: SisterctlError) -> str:
    """The words of sisterctl used from Python: the default of `str(error)`."""
    if isinstance(term, Param):
        return term.value
    subject = term.subject if isinstance(term, HintOn) else None
    hint = term.hint if isinstance(term, HintOn) else term
    city = error.record.id if error.record is not None and error.record.id else "..."
    words = {
        Hint.FORCE: "pass force=True",
        Hint.INIT: "'sisterctl init'",
        Hint.CREATE: f"'sisterctl init {error.path}'",
        Hint.NAME_REGISTRY: "its path",
        Hint.ADD_AGREEMENT: f"NewAgreement([{error.record.id if error.record else 'TIE'!r}], ...)",
        Hint.EXPORT_JSON: "'sisterctl export json'",
        Hint.MAP_COLUMN: f"a mapping, such as {{{error.key!r}: COLUMN}}",
        Hint.GEOCODE: "GeocodeRequest(city=..., geonames=...)",
        Hint.ADD_CITY: "NewCity(...)",
        Hint.EDIT: "EditRequest(...)",
        Hint.SHOW: "Registry.record_id()",
        Hint.SIGN: f"SignRequest([{subject or 'AGREEMENT'!r}], date=...)",
        Hint.GEOCODE_ALL: "use GeocodeRequest()",
        Hint.GEOCODE_CITY: f"use GeocodeRequest(city={city!r})",
        Hint.CHECK: "check()",
        Hint.CHOOSE_PLACE: "GeocodeRequest(city=..., geonames=...)",
    }
    return words[hint]


def render_parts(
    parts: str | Sequence[Part], words: Words = library_words, *, record: RecordRef | None = None
) -> str:
    """A message that is no error (a note, a line of a list), its terms in `words`;
    `record`: the record it is about, which some terms name."""
    return SisterctlError(parts, record=record).render(words, where=False)


class SisterctlError(Exception):
    """Base of every error a user may see. `str(error)` is the one-line message.

    `what` is a string, or a sequence of strings and terms (`Hint`, `Param`, `HintOn`)
    that each front end words its own way: `("... (", Hint.FORCE, " to record it)")`.
    """

    exit_code: ExitCode = ExitCode.REFUSED

    def __init__(
        self,
        what: str | Sequence[Part],
        *,
        hint: Hint | None = None,
        param: Param | None = None,
        record: RecordRef | None = None,
        key: str | None = None,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: str = "",
    ) -> None:
        self.parts: tuple[Part, ...] = (what,) if isinstance(what, str) else tuple(what)
        hints = (p.hint if isinstance(p, HintOn) else p for p in self.parts)
        self.hint = hint or next((p for p in hints if isinstance(p, Hint)), None)
        self.param = param or next((p for p in self.parts if isinstance(p, Param)), None)
        self.record = record
        self.key = key
        self.path = path
        self.line = line
        self.column = column
        self.code = code  # as a Problem's code, when the error is one: "unknown-tie"
        super().__init__(self.message)

    @property
    def has_terms(self) -> bool:
        """True when the message names a Hint or a Param, which front ends word."""
        return any(isinstance(part, _TERMS) for part in self.parts)

    @property
    def needs_force(self) -> bool:
        """True when the same request, forced, would be done."""
        return self.hint is Hint.FORCE

    def where(self) -> str:
        """`path:line:column: `, as far as it is known, or nothing."""
        if self.path is None:
            return ""
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where + ": "

    def render(self, words: Words = library_words, *, where: bool = True) -> str:
        """The one-line message, its terms in `words` (without the file's name and the
        line, unless `where`)."""
        what = "".join(
            words(part, self) if isinstance(part, _TERMS) else part for part in self.parts
        )
        return self.where() + what if where else what

    @property
    def what(self) -> str:
        """What went wrong, without the file: the message less `where()`."""
        return self.render(where=False)

    @property
    def message(self) -> str:
        return self.render()

    @property
    def detail(self) -> str:
        return self.what

    def __str__(self) -> str:
        return self.message


class RefusedError(SisterctlError):
    """A value or request that sisterctl will not act on; nothing was written."""

    exit_code = ExitCode.REFUSED


class UsageError(SisterctlError):
    """A request that cannot be understood (on the command line: exit code 2)."""

    exit_code = ExitCode.USAGE


class RegistryError(SisterctlError):
    """The registry is missing, unreadable, or not a valid registry."""

    exit_code = ExitCode.REGISTRY

    def __init__(
        self,
        what: str | Sequence[Part],
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        *,
        hint: Hint | None = None,
        record: RecordRef | None = None,
        key: str | None = None,
        code: str = "",
    ) -> None:
        super().__init__(
            what, hint=hint, record=record, key=key, path=path, line=line, column=column, code=code
        )


class RegistryBusyError(SisterctlError):
    """The registry's write lock is held by another process for too long."""

    exit_code = ExitCode.BUSY


class InvalidDateError(RefusedError):
    """A date that is malformed or does not exist."""


class NotFoundError(RefusedError):
    """A tie or city that the registry does not hold, with the closest matches."""

    def __init__(self, what: str, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        message = f"no {what} matches {query!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(self.suggestions) + "?"
        super().__init__(message)
