"""`sisterctl completion SHELL`: the script that makes bash, zsh or fish complete
sisterctl's commands, options and values (as `gh completion` prints its own). The
completions themselves are `cli/completing.py`'s."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from typing import Annotated

import typer

from sisterctl.cli.app import PROG, app
from sisterctl.cli.completing import Shell
from sisterctl.cli.startup import COMPLETE_VAR


@app.command("completion")
def completion_command(
    shell: Annotated[
        Shell,
        typer.Argument(
            case_sensitive=False, show_default=False, help="The shell: bash, zsh or fish."
        ),
    ],
) -> None:
    """Print the script that makes the shell complete sisterctl's commands and values.

    bash: add `eval "$(sisterctl completion bash)"` to ~/.bashrc. zsh: add
    `eval "$(sisterctl completion zsh)"` to ~/.zshrc, after compinit. fish: run
    `sisterctl completion fish > ~/.config/fish/completions/sisterctl.fish`.

    Example: sisterctl completion bash >> ~/.bashrc
    """
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value)
    sys.stdout.write(script + "\n")
