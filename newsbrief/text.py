"""Text helpers shared by the services: the English stopwords both cluster and compose drop."""

from __future__ import annotations

# Function words plus the reporting verbs and titles every news story is full of ("said",
# "mr"). Services extend this locally; cluster's model features depend on its exact set.
_ENGLISH_WORDS = """
    a about above according after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down dr during
    each few for from further had has have having he her here hers him his how i if in into
    is it its itself just me more most mr mrs ms my new no nor not now of off on once only
    or other our out over own said same say says she should so some such tell than that the
    their them then there these they this those through to told too under until up very was
    we were what when where which while who whom why will with would you your
"""
ENGLISH_STOPWORDS = frozenset(_ENGLISH_WORDS.split())
