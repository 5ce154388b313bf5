"""Shell completion for bash, zsh and fish: what sisterctl answers when the shell asks.

The script `sisterctl completion SHELL` prints runs `sisterctl` with
`_SISTERCTL_COMPLETE=complete_bash` (`complete_zsh`, `complete_fish`) and the words
typed so far (`COMP_WORDS` and `COMP_CWORD` for bash, `_TYPER_COMPLETE_ARGS` for zsh
and fish). Typer's completion classes answer with commands, options and the values of
options that have a list of choices; the completers that cli/app.py gives the
parameters naming a tie, a city, a kind of tie or a country answer with values from the
registry, which `store.complete` reads without parsing the registry.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from sisterctl.store.complete import CompletionValues

from sisterctl.cli.startup import COMPLETE_VAR


class Shell(StrEnum):
    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"


def run(command: Any, prog_name: str, instruction: str) -> int:
    """Answer the shell's request for completions (`instruction`: complete_bash...)."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import completion_init
    from typer.completion import shell_complete

    _values.clear()  # a new request (in tests, in the same process)
    completion_init()
    add_completion_class(_bash_class(), Shell.BASH.value)
    return shell_complete(command, {}, prog_name, COMPLETE_VAR, instruction)


def _bash_class() -> Any:
    import shlex

    from typer._completion_classes import BashComplete

    class QuotingBashComplete(BashComplete):
        """Typer's, but a value with a space ("sister city", "New York City") is
        quoted, so that bash inserts it as one word."""

        def format_completion(self, item: Any) -> str:
            value: str = item.value
            return shlex.quote(value) if any(c in value for c in " '\"$`\\()&;|<>") else value

    return QuotingBashComplete


# ---------------------------------------------------------------------------
# Values from the registry

_values: dict[str, CompletionValues] = {}  # by what is completed, for one request


def values(ctx: typer.Context, what: str) -> CompletionValues:
    """What the registry named on the command line (or the default one) offers for
    `what` (tie, city, kind, country)."""
    if what not in _values:
        from sisterctl.store.complete import completion_values, defaults
        from sisterctl.store.location import locate

        named = ctx.meta.get("sisterctl.registry") or ctx.find_root().params.get("registry")
        try:
            path = locate(named or None).path
        except Exception:
            _values[what] = defaults()
        else:
            _values[what] = completion_values(path, frozenset({what}))
    return _values[what]


def offer(what: str, ctx: typer.Context, incomplete: str) -> list[str]:
    """The values of `what` (tie, city, kind, country) that begin as `incomplete`
    does, ignoring case and accents; a value that differs from it only in case or
    accents is offered in the letters typed (`sao` → `sao Paulo`), which sisterctl
    reads the same."""
    from sisterctl.text import fold

    known = values(ctx, what)
    pool = {
        "tie": known.tie_ids,
        "city": known.city_names,
        "kind": known.kinds,
        "country": known.countries,
    }[what]
    folded = fold(incomplete)
    offered: list[str] = []
    for value in pool:
        if value.startswith(incomplete):
            offered.append(value)
        elif fold(value[: len(incomplete)]) == folded:
            offered.append(incomplete + value[len(incomplete) :])
    return offered
