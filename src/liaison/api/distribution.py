"""Endpoints of the distribution part of the API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["distribution"])
