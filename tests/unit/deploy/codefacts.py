"""What the code says exists: services, their settings' env variables, ports and HTTP routes.

Everything here is derived from the code itself (the CLI's service list, each service's pydantic
Settings class, its FastAPI app or faust pages), so a rename in a service shows up as drift in
the deploy files instead of a pod that never gets ready.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

import typer.main

from newsbrief.settings import ServiceSettings

# Decorators that register a route with a literal path: FastAPI's app/router verbs, faust pages.
_ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "head", "api_route", "route", "page"}


class MissingService(Exception):
    """A service module that does not exist yet (its deploy checks are skipped, not passed)."""


@dataclass(frozen=True)
class ServiceFacts:
    """One service as its code defines it."""

    name: str
    env_prefix: str
    defaults: dict[str, object]
    env_names: frozenset[str]
    routes: frozenset[str]
    route_source: str = field(compare=False)

    def port_fields(self) -> dict[str, int]:
        """Settings fields that are ports (``port``, ``web_port``...) with their defaults."""
        return {
            name: int(value)
            for name, value in self.defaults.items()
            if name.endswith("port") and isinstance(value, int)
        }

    def effective_ports(self, env: dict[str, str]) -> set[int]:
        """The ports the service listens on, given the variables a deployment sets."""
        ports = set()
        for name, default in self.port_fields().items():
            override = env.get(self.env_prefix + name.upper())
            ports.add(int(override) if override is not None else default)
        return ports

    def effective(self, name: str, env: dict[str, str]) -> str | None:
        """A setting's value under the deployment's variables (None if no such field)."""
        if name not in self.defaults:
            return None
        return env.get(self.env_prefix + name.upper(), str(self.defaults[name]))


def service_names() -> tuple[str, ...]:
    """The services `newsbrief serve` knows."""
    from newsbrief.cli import SERVICES

    return tuple(SERVICES)


@cache
def service_facts(name: str) -> ServiceFacts:
    """Facts about one service, or MissingService if its config module is not written yet."""
    config = import_service_module(f"services.{name}.config")
    settings_cls = _settings_class(config)
    prefix = settings_cls.model_config.get("env_prefix", "")
    defaults = {
        field_name: info.get_default(call_default_factory=True)
        for field_name, info in settings_cls.model_fields.items()
    }
    env_names = frozenset(_env_names(settings_cls, prefix))
    routes, source = _routes(name, settings_cls)
    return ServiceFacts(name, prefix, defaults, env_names, frozenset(routes), source)


@cache
def cli_command_options() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each `newsbrief` command: (its option flags, the env variables its options read)."""
    group = typer.main.get_command(_cli())
    commands = {}
    for command_name, command in group.commands.items():
        opts, envvars = set(), set()
        for param in command.params:
            opts.update(getattr(param, "opts", ()))
            envvar = getattr(param, "envvar", None)
            envvars.update([envvar] if isinstance(envvar, str) else envvar or ())
        commands[command_name] = (frozenset(opts), frozenset(envvars))
    return commands


def _cli() -> typer.Typer:
    from newsbrief import cli

    # main() registers the services' commands before running; do the same without running.
    for register in (cli._register_stack, cli._register_services):
        register()
    return cli.cli


def import_service_module(module: str) -> ModuleType:
    """Import a service module; MissingService if it (not a dependency of it) does not exist."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        parts = module.split(".")
        # Only the module itself (or its package) missing means "not written yet"; a missing
        # dependency inside it is a real error.
        if exc.name in {".".join(parts[: i + 1]) for i in range(len(parts))}:
            raise MissingService(f"{module} does not exist yet") from exc
        raise


def _settings_class(module: ModuleType) -> type[ServiceSettings]:
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, ServiceSettings)
        and obj is not ServiceSettings
        and obj.__module__ == module.__name__
    ]
    if len(classes) != 1:
        names = [c.__name__ for c in classes]
        raise AssertionError(f"{module.__name__}: expected one Settings class, found {names}")
    return classes[0]


def _env_names(settings_cls: type[ServiceSettings], prefix: str) -> set[str]:
    names = set()
    for field_name, info in settings_cls.model_fields.items():
        alias = info.validation_alias or info.alias
        # An explicit alias replaces prefix + field name in pydantic-settings.
        names.add(alias.upper() if isinstance(alias, str) else (prefix + field_name).upper())
    return names


def _routes(name: str, settings_cls: type[ServiceSettings]) -> tuple[set[str], str]:
    """Paths the service serves: from its FastAPI app when it has one, else from its source."""
    try:
        app_module = importlib.import_module(f"services.{name}.app")
    except ModuleNotFoundError:
        app_module = None
    create_app = getattr(app_module, "create_app", None)
    # Build only FastAPI apps (cheap, no I/O until startup); faust apps are read from source.
    if create_app is not None and "FastAPI" in str(inspect.signature(create_app).return_annotation):
        app = create_app(settings_cls())
        if _is_fastapi(app):
            return _fastapi_paths(app), "FastAPI app routes"
    return _literal_routes(Path(importlib.import_module(f"services.{name}").__file__).parent), (
        "route decorators in the source"
    )


def _fastapi_paths(app) -> set[str]:
    """Every path the app serves: the OpenAPI paths plus routes kept out of the schema."""
    # Included routers may appear as wrapper objects without a path, hence the OpenAPI view.
    paths = set(app.openapi().get("paths", {}))
    paths.update(
        route.path for route in app.routes if isinstance(getattr(route, "path", None), str)
    )
    return paths


def _is_fastapi(app: object) -> bool:
    from fastapi import FastAPI

    return isinstance(app, FastAPI)


def _literal_routes(package_dir: Path) -> set[str]:
    """Literal paths in route decorators (``@app.page("/healthz")``) under a package."""
    paths = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if _is_route_decorator(decorator):
                    paths.add(decorator.args[0].value)
    return paths


def _is_route_decorator(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _ROUTE_DECORATORS
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )
