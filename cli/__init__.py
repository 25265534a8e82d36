"""The lexkb command line: the only place that prints errors and picks exit codes.

Exit codes, for every command: 0 success; 1 the program is valid but what was
asked does not hold (a check finding, a missed expectation, an atom that does
not hold); 2 bad usage or an input that is not a valid program.
"""

from __future__ import annotations

import io
import signal
import sys
import threading

import click

from lexkb.errors import LexkbError

from .common import EXIT_USAGE, flush_output, format_error, output_failed, printable

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Each command lives in its own module, imported only when that command runs
# (verify pulls in z3, explain Graphviz, batch multiprocessing): start-up stays
# small. The one-line help shown by `lexkb --help` is kept here for the same
# reason; a test checks it matches each command's own.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("core", "run_command", "Run the rules on a case and report the outcomes and conclusions."),
    "check": ("core", "check_command", "Check rules (and cases) without running them."),
    "test": ("core", "test_command", "Run every `expect` of every case; exit 1 if any is missed."),
    "explain": ("explain", "explain_command",
                "Explain a conclusion down to the rules, authorities and the words of the case."),
    "verify": ("verify", "verify_command", "Look for conflicts, gaps and dead rules, using the z3 solver."),
    "whatif": ("whatif", "whatif_command", "Find the smallest change to a case's facts that flips an atom."),
    "batch": ("batch", "batch_command", "Run many cases and write one row of results per case."),
    "fmt": ("fmt", "fmt_command", "Rewrite .rules and .case files in the canonical layout, every comment kept."),
    "lsp": ("lsp", "lsp_command", "Run the language server over standard input and output (for editors)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        from importlib import import_module

        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(import_module(f"{__name__}.{module}"), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(package_name="lexkb")
def cli() -> None:
    """lexkb: write legal rules in plain language, run them on the facts of a
    case, and explain every conclusion down to the words of the decision.

    \b
    A knowledge base is a set of .rules files (a folder loads every *.rules
    below it); a case is a .case file stating facts with the quotes that
    establish them. Start with:
    \b
      lexkb run kb --case kb/cases/alcaraz.case
      lexkb explain kb --case kb/cases/alcaraz.case deny --format html -o alcaraz.html
      lexkb test kb kb/cases/*.case
      lexkb fmt kb                                 the canonical layout, comments kept
    
    For researchers testing a rule base:
      lexkb verify kb                              conflicts, gaps, dead rules
      lexkb test kb kb/cases/*.case --coverage     what the cases exercise
      lexkb whatif kb --case kb/cases/baylor.case deny
      lexkb batch kb cases.csv -o results.jsonl    many cases, in parallel

    The KB path :bundled is the knowledge base lexkb ships (18 U.S.C. § 3582(c)(2)).

    Exit codes: 0 success; 1 valid input but what was asked does not hold
    (a check finding, a missed expectation, an atom that does not hold);
    2 bad usage or invalid input (the message says where and why).
    """


class Terminated(BaseException):
    """SIGTERM, raised where the command is so that it unwinds as on Ctrl-C: partial output
    files are removed and worker processes stopped (see ``cli.common.atomic_file``)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning lexkb errors into located messages and exit code 2."""
    previous = signal.signal(signal.SIGTERM, _terminate) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        cli.main(args=argv, prog_name="lexkb", standalone_mode=False)
    except LexkbError as error:
        click.echo(format_error(error), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort as abort:
        if isinstance(abort.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        shown = io.StringIO()  # it may quote an argument, such as a file name from a glob: shown escaped
        error.show(file=shown)
        click.echo(printable(shown.getvalue()), err=True, nl=False)
        sys.exit(EXIT_USAGE if error.exit_code == 2 else error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(143)
    except OSError as error:  # e.g. standard output on a full disk
        output_failed(error)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        flush_output()
    sys.exit(0)
