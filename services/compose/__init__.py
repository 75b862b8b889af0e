"""Compose service: story briefs, entity cards and question hubs from story events."""
