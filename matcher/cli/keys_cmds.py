"""``twinmatch keys``: create, revoke and list API keys (only salted hashes are stored)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matcher.cli.common import open_store, store_options


@click.group("keys")
def keys() -> None:
    """API keys for the HTTP service: staff keys, owner keys bound to one authority, and organiser keys
    (partnership fairs: they run their own events and nothing else)."""


@keys.command("create")
@click.option("--role", type=click.Choice(["staff", "owner", "organiser"]), required=True)
@click.option("--authority", "authority_id", default=None, help="Authority id an owner key may edit.")
@click.option("--label", default="", help="Who holds the key (shown in the audit trail).")
@store_options
def create(role: str, authority_id: str | None, label: str, db: Path | None, data_dir: Path) -> None:
    """Create a key and print its secret (shown once: it cannot be recovered)."""
    store = open_store(db, data_dir, progress=False)
    try:
        key, secret = store.create_key(role, authority_id, label)
    finally:
        store.close()
    click.echo(f"key id:  {key.id}\nrole:    {key.role}" + (f"\nauthority: {key.authority_id}" if key.authority_id else ""))
    click.echo(f"secret:  {secret}")
    click.echo("Keep the secret now: only its hash is stored.", err=True)


@keys.command("revoke")
@click.argument("key_id")
@store_options
def revoke(key_id: str, db: Path | None, data_dir: Path) -> None:
    """Revoke the key KEY_ID (idempotent)."""
    store = open_store(db, data_dir, progress=False)
    try:
        store.revoke_key(key_id)
    finally:
        store.close()
    click.echo(f"revoked {key_id}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per key.")
@store_options
def list_keys(as_json: bool, db: Path | None, data_dir: Path) -> None:
    """List keys (ids, roles, labels; never secrets)."""
    store = open_store(db, data_dir, progress=False)
    try:
        found = store.list_keys()
    finally:
        store.close()
    for k in found:
        if as_json:
            click.echo(json.dumps({"id": k.id, "role": k.role, "authority_id": k.authority_id, "label": k.label,
                                   "created_at": k.created_at, "revoked": k.revoked}, ensure_ascii=False))
        else:
            state = "revoked" if k.revoked else "active"
            click.echo(f"{k.id}  {k.role:<9}  {state:<7}  {k.created_at}  {k.authority_id or '-':<16}  {k.label}")
    if not found and not as_json:
        click.echo("no keys", err=True)
