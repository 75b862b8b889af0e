"""newsbrief: shared code for the newsbrief services (contracts, settings, topics, Redis keys)."""

__version__ = "0.1.0"
