"""The HSDS read API fuzzed from Open Referral's own openapi.json with schemathesis: for every read-only operation,
generated parameters never cause a server error, and every 200 answer has the content type and the shape the
official file and schemas describe. Our own filters (gemeente, arbeidsmarktregio) are not in that file, so
tests/socialmap/test_hsds_api.py covers them."""

from __future__ import annotations

import copy
from typing import Any, Dict

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from bot.socialmap import hsds_schema
from bot.web import create_app

pytestmark = pytest.mark.thorough  # fuzzing every operation: make test, not make test-fast

EXAMPLES_PER_OPERATION = 25


def _inline(node: Any, base: str, depth: int = 0) -> Any:
    """openapi.json with every reference to a schema file replaced by that file (schemathesis would fetch the
    upstream addresses; this machine and CI have no such network)."""
    if isinstance(node, list):
        return [_inline(n, base, depth) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        url = ref if ref.startswith("https://") else base.rsplit("/", 1)[0] + "/" + ref
        name = url.removeprefix(hsds_schema.BASE_URL)
        assert depth < 12, f"reference cycle at {name}"
        return _inline(copy.deepcopy(hsds_schema.schema(name)), url, depth + 1)
    return {k: _inline(v, base, depth) for k, v in node.items()}


@pytest.fixture(scope="module")
def official_api(hsds_api_url: str) -> Any:
    raw: Dict[str, Any] = _inline(hsds_schema.schema("openapi.json"), hsds_schema.BASE_URL + "openapi.json")
    raw["servers"] = [{"url": "/hsds"}]
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = create_app({"TESTING": True, "DATABASE_URL": hsds_api_url, "HSDS_API_PER_MINUTE": 0})
    return loaded


api = schemathesis.pytest.from_fixture("official_api")


@api.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_official_openapi_operations(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error, content_type_conformance, response_schema_conformance])
