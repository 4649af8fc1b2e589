"""The REST API, version 1: one NinjaAPI, with a router per part of the domain."""

from ninja import NinjaAPI

api = NinjaAPI(title="Liaison API", version="1", urls_namespace="api")
