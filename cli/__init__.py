"""The lexkb command line: the only place that prints errors and picks exit codes.

Exit codes, for every command: 0 success; 1 the program is valid but what was
asked does not hold (a check finding, a missed expectation, an atom that does
not hold); 2 bad usage or an input that is not a valid program.
"""

from __future__ import annotations

import sys

import click

from .. import LexkbError
from .common import EXIT_USAGE, format_error
from .core import check_command, run_command, test_command

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
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


cli.add_command(run_command)
cli.add_command(check_command)
cli.add_command(test_command)

# Further commands register here, one module each.
# -- commands --
from .batch import batch_command  # noqa: E402

cli.add_command(batch_command)

from .verify import verify_command  # noqa: E402

cli.add_command(verify_command)
from .explain import explain_command  # noqa: E402

cli.add_command(explain_command)
from .whatif import whatif_command  # noqa: E402

cli.add_command(whatif_command)
# -- end commands --


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning lexkb errors into located messages and exit code 2."""
    try:
        cli.main(args=argv, prog_name="lexkb", standalone_mode=False)
    except LexkbError as error:
        click.echo(format_error(error), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE if error.exit_code == 2 else error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(0)
