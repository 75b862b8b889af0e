"""Terminal rendering of a brief document with rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console


def render_brief(doc: dict[str, Any], console: Console | None = None) -> None:
    """Print a brief document (the API's JSON shape) section by section, its links to other
    stories first. A tombstone (``{"id": ..., "merged_into": ...}``: a merged story has no
    document of its own) prints only where the story went."""
    c = console or Console()
    if doc.get("merged_into"):
        c.rule(f"[bold]story {doc['id']}[/bold]")
        c.print(f"Merged into {doc['merged_into']}: its brief continues there.", highlight=False)
        return
    c.rule(f"[bold]{doc['headline']}[/bold]")
    c.print(
        f"[dim]story {doc['id']} · version {doc['version']} · updated {doc['updated_at']}[/dim]"
    )
    # Right under the title, as a reader checks first whether this is the story they followed.
    _section(c, "Story links", story_links(doc))
    _section(c, "What's happened", [s["text"] for s in doc["whats_happened"]])
    _section(c, "What's behind the headline?", [s["text"] for s in doc["behind_the_headline"]])
    _section(c, "What the papers say", [p["text"] for p in doc["what_the_papers_say"]])
    _section(c, "How we got here", [s["text"] for s in doc["how_we_got_here"]])
    _section(
        c,
        "Timeline",
        [f"{t['at']}  {t['text']}  [dim]({t['story_id']})[/dim]" for t in doc["timeline"]],
    )
    _section(c, "Go deeper", [h["question"] for h in doc["go_deeper"]])
    _section(
        c,
        "More on these topics",
        [f"[bold]{t['name']}[/bold]: {t['description']}" for t in doc["topics"]],
    )
    _section(c, "Sources", [f"{a['outlet']}: {a['title']} ({a['url']})" for a in doc["articles"]])


def story_links(doc: dict[str, Any]) -> list[str]:
    """One line per kind of link to other stories (the README's "How a story's links change"),
    where it came from first: followed, split from, then what it took in and gave up."""
    lines = []
    if doc.get("follows_story_id"):
        lines.append(f"Follows {doc['follows_story_id']}")
    if doc.get("split_from"):
        lines.append(f"Split from {doc['split_from']}")
    if doc.get("merged_from"):
        lines.append(f"Absorbed {', '.join(doc['merged_from'])}")
    if doc.get("split_into"):
        lines.append(f"Split into {', '.join(doc['split_into'])}")
    return lines


def _section(c: Console, title: str, lines: list[str]) -> None:
    if not lines:
        return
    c.print(f"\n[bold cyan]{title}[/bold cyan]")
    for line in lines:
        c.print(f"  • {line}", highlight=False)
