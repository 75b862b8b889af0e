"""Ingest service: feeds, pushed articles and files in, normalised `Article`s out to Kafka."""
