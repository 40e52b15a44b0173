"""Command line: ``python -m geo <command> …``. Each command is a module ``geo/cli/<name>.py`` with ``main(argv)``.

The commands run exactly the code the pages call (the same geo/ functions), so a script and a person get the
same answer. A command module registers itself by existing: ``COMMANDS`` maps the name typed to the module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

COMMANDS = {"import": "geo.cli.import_file", "brief": "geo.cli.brief", "users": "geo.cli.users"}


def available() -> dict[str, str]:
    return {name: mod for name, mod in COMMANDS.items() if importlib.util.find_spec(mod) is not None}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = available()
    if not argv or argv[0] not in commands:
        names = "|".join(sorted(commands)) or "(none)"
        print(f"usage: python -m geo {{{names}}} …  (python -m geo <command> --help)", file=sys.stderr)
        return 2
    return int(importlib.import_module(commands[argv[0]]).main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
