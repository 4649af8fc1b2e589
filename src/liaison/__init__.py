"""Liaison: the secretariat of an international federation, in software."""

from liaison.celery import app as celery_app

__all__ = ["celery_app"]
