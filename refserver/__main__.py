"""Run the reference server: `python -m refserver --help`."""

from refserver._cli import main

main()
