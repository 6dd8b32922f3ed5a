"""`python -m orchestration.cli ...`: the `pulse` command without its console script."""

from orchestration.cli import main

main(prog_name="pulse")
