"""`python -m audiolesson`."""

from .cli import main

main()
