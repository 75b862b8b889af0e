"""Typed dependencies of the routes: the shared Redis pool, key names and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from newsbrief.keys import Keys
from services.api.config import ApiSettings


def get_redis(request: Request) -> Redis:
    """The app's Redis client (one connection pool per worker)."""
    return request.app.state.redis


def get_keys(request: Request) -> Keys:
    """Key names under this deployment's prefix."""
    return request.app.state.keys


def get_settings(request: Request) -> ApiSettings:
    """The settings the app was built with."""
    return request.app.state.settings


RedisDep = Annotated[Redis, Depends(get_redis)]
KeysDep = Annotated[Keys, Depends(get_keys)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
