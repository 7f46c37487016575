"""The `qserve` command: run, demo, db upgrade, user create, token create, and the packages' commands."""

from __future__ import annotations

import os

import click


def _app():
    from qserve import create_app

    return create_app()


@click.group()
def main() -> None:
    """qserve: virtual queue management for physical service points."""


@main.command()
@click.option("--host", default=lambda: os.environ.get("QSERVE_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option(
    "--port", default=lambda: int(os.environ.get("QSERVE_PORT", "5000")), type=int, show_default="5000"
)
def run(host: str, port: int) -> None:
    """Serve qserve with gevent (HTTP, WebSocket and long-polling)."""
    from qserve.server import serve

    serve(host=host, port=port)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    from qserve.config import Config
    from qserve.migrate import upgrade

    url = Config().DATABASE_URL
    upgrade(url)
    click.echo("database is up to date")


@main.command()
@click.option("--days", default=21, show_default=True, help="days of served-ticket history to generate")
@click.option("--seed", default=7, show_default=True)
def demo(days: int, seed: int) -> None:
    """Load demo data: an organization, two locations in different time zones, staff, and history."""
    from qserve.config import Config
    from qserve.demo import load_demo
    from qserve.migrate import upgrade

    upgrade(Config().DATABASE_URL)
    app = _app()
    with app.app_context():
        logins = load_demo(days=days, seed=seed)
    click.echo("Demo data loaded. Sign in at /login with:")
    for email, password, role in logins:
        click.echo(f"  {role:8} {email}  password: {password}")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--organization", required=True, help="organization slug")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["staff", "manager", "admin"]), default="staff", show_default=True)
@click.option("--location", "locations", multiple=True, help="location slug (repeat for several)")
@click.password_option()
def user_create(organization, name, email, role, locations, password) -> None:
    """Create a staff member, manager or admin."""
    from qserve.services.accounts import create_user

    with _app().app_context():
        user_id = create_user(
            organization_slug=organization,
            name=name,
            email=email,
            password=password,
            role=role,
            location_slugs=list(locations),
        )
    click.echo(f"created user {user_id}")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="cli")
def token_create(email: str, name: str) -> None:
    """Create an API token for a user and print only the token."""
    from qserve.db import utcnow
    from qserve.services.accounts import create_token

    with _app().app_context():
        click.echo(create_token(email=email, now=utcnow(), name=name))


def _add_package_commands() -> None:
    """Attach the commands that live in their own packages, when those packages are present."""
    from importlib import import_module

    for module_name, attribute, command_name in [
        ("qserve.printing.cli", "printer_sim", "printer-sim"),
        ("qserve.predict.cli", "predict", "predict"),
        ("qserve.jobs.cli", "scheduler", "scheduler"),
    ]:
        try:
            command = getattr(import_module(module_name), attribute)
        except (ModuleNotFoundError, AttributeError):
            continue
        main.add_command(command, command_name)


_add_package_commands()
