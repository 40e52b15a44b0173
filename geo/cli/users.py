"""``python -m geo users add|list|disable|enable|passwd|unlock``: manage editor accounts in the dataset store.

Passwords are never command-line arguments (they would show in ``ps`` and the shell history): they are
asked for twice on the terminal, or read from the first line of standard input with ``--password-stdin``.
The store is the app's own (``VNCHILD_STORE_URL``, or the SQLite default), unless ``--store`` names another.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from geo import config
from geo.errors import DataError
from geo.store import accounts as acc
from geo.store.datasets import open_store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo users", description="Manage editor accounts.")
    parser.add_argument("--store", help="database URL (default: VNCHILD_STORE_URL or the SQLite file)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=acc.ROLES, default="editor")
    add.add_argument("--scope", default=acc.ALL, help="'all' or 2-digit province codes, e.g. 12,01")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list accounts (never their passwords)")
    for name, text in (("disable", "stop an account from signing in"), ("enable", "allow a disabled account again"),
                       ("unlock", "clear a lockout after wrong passwords")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("name")
    passwd = sub.add_parser("passwd", help="set a new password (also clears a lockout)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    return parser


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Repeat: ") != first:
        raise DataError(vi="Hai lần nhập mật khẩu không khớp.", en="The two passwords do not match.")
    return first


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    setting = "--store" if args.store else config.STORE_URL_ENV
    try:
        try:
            store = open_store(args.store or config.store_url())
        except DataError as err:
            print(f"{setting}:", file=sys.stderr)
            raise err
        with store:
            accounts = acc.open_accounts(store)
            if args.command == "add":
                account = accounts.add_user(args.name, _read_password(args.password_stdin), role=args.role,
                                            scope=args.scope)
                print(f"added {account.name} role={account.role} scope={account.scope_text}")
            elif args.command == "list":
                frame = accounts.list_users()
                if frame.empty:
                    print("(no accounts: VNCHILD_EDITOR_PASSWORD signs in as the bootstrap admin)")
                else:
                    print(frame.to_string(index=False))
            elif args.command == "passwd":
                accounts.set_password(args.name, _read_password(args.password_stdin))
                print(f"password changed for {args.name}")
            elif args.command in ("disable", "enable"):
                accounts.set_disabled(args.name, args.command == "disable")
                print(f"{args.command}d {args.name}")
            elif args.command == "unlock":
                accounts.unlock(args.name)
                print(f"unlocked {args.name}")
    except DataError as err:
        print(f"{err.message('vi')}\n{err.message('en')}", file=sys.stderr)
        return 1
    return 0
