"""Cluster service: assigns every article to one story, online, and emits StoryEvents."""
