"""API keys: from API_KEYS / ADMIN_API_KEYS and from `keys create`; only hashes are kept.

A key belongs to a desk: `keys create NAME --desk DESK`, or `KEY@DESK` in API_KEYS and
ADMIN_API_KEYS; a key given no desk belongs to DEFAULT_DESK.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets

import click
from flask import current_app, g, request
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import db
from model.desks import is_desk_id

from .config import split_list
from .tables import ApiKey

HEADER = "X-API-Key"
keys_cli = AppGroup("keys", help="Create and revoke API keys.")


@dataclasses.dataclass(frozen=True)
class KeyHolder:
    name: str
    admin: bool
    desk: str | None = None     # None: DEFAULT_DESK's


def configured_key(entry: str) -> tuple[str, str | None]:
    """An API_KEYS entry as (key, desk): 'KEY@DESK' when what follows the last '@' is a
    desk id, else the whole entry is the key."""
    key, at, desk = entry.rpartition("@")
    return (key, desk) if at and key and is_desk_id(desk) else (entry, None)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def init_app(app) -> None:
    configured = {}
    for setting, admin in (("API_KEYS", False), ("ADMIN_API_KEYS", True)):
        for number, entry in enumerate(split_list(app.config[setting]), start=1):
            key, desk = configured_key(entry)
            configured[digest(key)] = KeyHolder(f"{setting.lower()}-{number}", admin, desk)
    app.extensions["api_keys"] = configured
    app.cli.add_command(keys_cli)


def _lookup(presented: str) -> KeyHolder | None:
    wanted = digest(presented)
    for known, holder in current_app.extensions["api_keys"].items():
        if hmac.compare_digest(known, wanted):
            return holder
    row = db.session().execute(select(ApiKey).where(ApiKey.key_sha256 == wanted)).scalar()
    if row is not None and hmac.compare_digest(row.key_sha256, wanted):
        return KeyHolder(row.name, bool(row.admin), row.desk)
    return None


def caller() -> KeyHolder | None:
    """Who sent this request, if it carries a valid key (cached for the request)."""
    if "key_holder" not in g:
        presented = request.headers.get(HEADER, "")
        g.key_holder = _lookup(presented) if presented else None
    return g.key_holder


def check(admin: bool = False):
    """None when the request may go on, else the status and why not."""
    if not request.headers.get(HEADER):
        return 401, f"This needs an API key in the {HEADER} header."
    holder = caller()
    if holder is None:
        return 403, "The API key is not valid."
    if admin and not holder.admin:
        return 403, "This needs an admin API key."
    return None


def create_key(name: str, admin: bool = False, desk: str | None = None) -> str:
    """Store a new key's hash under `name` and return the key (shown only this once)."""
    key = "csk_" + secrets.token_urlsafe(32)
    with db.transaction() as writer:
        writer.add(ApiKey(name=name, key_sha256=digest(key), admin=admin, desk=desk))
    return key


def _desk_option(_context, _parameter, value):
    if value is not None and not is_desk_id(value):
        raise click.BadParameter("a desk id is lower-case letters, digits, '.', '_' and '-' "
                                 "(up to 64), starting with a letter or digit")
    return value


@keys_cli.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True,
              help="The key may also reload the model and record verdicts for any desk.")
@click.option("--desk", callback=_desk_option,
              help="The desk the key belongs to (default: DEFAULT_DESK): its claims are "
                   "scored for that desk, and it records that desk's verdicts.")
def create_command(name, admin, desk):
    """Make a key called NAME and print it once; only its sha256 is stored."""
    try:
        key = create_key(name, admin, desk)
    except IntegrityError:
        raise click.ClickException(f"a key named {name!r} exists already") from None
    click.echo(key)


@keys_cli.command("revoke")
@click.argument("name")
def revoke_command(name):
    """Delete the key called NAME."""
    with db.transaction() as writer:
        row = writer.get(ApiKey, name)
        if row is None:
            raise click.ClickException(f"no key named {name!r}")
        writer.delete(row)
    click.echo(f"revoked {name}")


def main() -> None:
    from . import create_app

    app = create_app()
    with app.app_context():
        keys_cli.main(prog_name="python -m service.keys")


if __name__ == "__main__":
    main()
