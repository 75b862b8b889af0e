"""The HTTP API: serves briefs, hubs, entities and search from Redis (never Kafka)."""
