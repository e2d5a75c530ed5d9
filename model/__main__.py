"""`python -m model` is the `wateralloc` command."""
from model.cli import run

run()
