"""CLI: ``newsbrief brief STORY_ID``, ``newsbrief kb import FILE``, ``newsbrief bench compose``."""

from __future__ import annotations

import time
from pathlib import Path

import typer

kb_cli = typer.Typer(help="The entity knowledge base of compose.")


def register(cli: typer.Typer, bench: typer.Typer) -> None:
    """Add the compose commands to the `newsbrief` CLI."""
    cli.command("brief")(brief_command)
    cli.add_typer(kb_cli, name="kb")
    bench.command("compose")(bench_compose)


def brief_command(
    story_id: str = typer.Argument(..., help="story id"),
    run_dir: Path = typer.Option(None, help="run directory of `newsbrief up` (default: .run)"),
) -> None:
    """Print a story's brief from Redis, readably."""
    import orjson
    import redis

    from newsbrief.keys import Keys
    from newsbrief.stack import stack_default
    from services.compose.config import ComposeSettings
    from services.compose.render import render_brief

    settings = ComposeSettings()
    keys = Keys(settings.redis_key_prefix)
    url = stack_default(settings, "redis_url", run_dir)
    client = redis.Redis.from_url(url)
    try:
        redirect = client.get(keys.redirect(story_id))
    except redis.ConnectionError as exc:
        typer.echo(f"cannot reach Redis at {url}: {exc} (is `newsbrief up` running?)", err=True)
        raise typer.Exit(2) from None
    if redirect:
        typer.echo(f"{story_id} was merged into {redirect.decode()}")
        story_id = redirect.decode()
    body = client.hget(keys.story(story_id), "json")
    if body is None:
        typer.echo(f"no brief for story {story_id}", err=True)
        raise typer.Exit(1)
    render_brief(orjson.loads(body))


@kb_cli.command("import")
def kb_import(
    dump: Path = typer.Argument(..., exists=True, help="Wikidata JSON dump (array, one per line)"),
    kb: Path = typer.Option(None, help="KB file to update (default: the compose KB setting)"),
) -> None:
    """Add the entities of a Wikidata JSON dump to the knowledge base."""
    from services.compose.config import ComposeSettings
    from services.compose.kb import import_wikidata

    path = kb or ComposeSettings().kb_path
    added, updated = import_wikidata(dump, path)
    typer.echo(f"{path}: {added} entities added, {updated} updated")


def bench_compose(
    articles: int = typer.Option(50, help="articles in the story"),
    runs: int = typer.Option(30, help="timed runs of each kind (at least 20 for the figure)"),
) -> None:
    """Median time to compose the brief of an N-article story, cold and warm (target <= 50 ms)."""
    from services.compose import bench
    from services.compose.brief import BriefContext, compose_brief
    from services.compose.config import ComposeSettings
    from services.compose.entities import Linker
    from services.compose.kb import load_kb

    linker = Linker(load_kb(ComposeSettings().kb_path))

    def compose(story):
        context = BriefContext(now=time.time(), cards=linker.cards, name_words=linker.name_words)
        return compose_brief("bench", story, context)

    compose(bench.story_of(articles, run=-1))  # import and first-call costs are not the figure
    cold, warm = bench.run(compose, articles, runs)
    typer.echo(f"compose, {articles}-article story, median of {runs} runs (target <= 50 ms):")
    typer.echo(
        f"  cold (all {articles} articles new):       {cold.wall_ms:6.1f} ms wall  "
        f"{cold.cpu_ms:6.1f} ms cpu"
    )
    typer.echo(
        f"  warm ({articles - 1} seen + 1 new article):   {warm.wall_ms:6.1f} ms wall  "
        f"{warm.cpu_ms:6.1f} ms cpu"
    )
