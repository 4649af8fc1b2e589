"""Endpoints of the conference part of the API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["conference"])
