"""The HTTP fixtures of tests/http, for the regression tests that go through the app."""

from tests.http.conftest import sanic_test_mode, service, service_config, service_partial_uploads, service_storage

__all__ = ["sanic_test_mode", "service", "service_config", "service_partial_uploads", "service_storage"]
