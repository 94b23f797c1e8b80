"""The HSDS 3.0 read API (/hsds/): every read-only endpoint of Open Referral's openapi.json answers as that file and
the official schemas say, paged, filtered by gemeente or arbeidsmarktregio, public, rate-limited; a real SQLite
database with the shipped social map and the official example package, through Flask's test client."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Set

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.common import regions
from bot.common.db import session_scope
from bot.socialmap import hsds_schema, models
from bot.socialmap.hsds_ids import REFERENCES, is_uuid, public_id
from bot.web import create_app

EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_LINK = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
# Path in openapi.json → requests that must answer by that path's 200 schema.
ENDPOINTS = {
    "/": ["/hsds/"],
    "/services": [
        "/hsds/services",
        "/hsds/services?per_page=3&page=2",
        "/hsds/services?full=true&per_page=5",
        "/hsds/services?minimal=true",
        "/hsds/services?gemeente=GM0321&search=jobcoach",
        "/hsds/services?taxonomy_id=thema&taxonomy_term_id=thema:jobcoaching",
        f"/hsds/services?organization_id={EXAMPLE_ORGANIZATION}&modified_after=2023-01-01T00:00:00Z",
    ],
    "/services/{id}": [f"/hsds/services/{EXAMPLE_SERVICE}", f"/hsds/services/{public_id('service', 't-svc')}"],
    "/organizations": [
        "/hsds/organizations",
        "/hsds/organizations?full=true&per_page=4",
        "/hsds/organizations?search=example&full_service=true&full=true",
    ],
    "/organizations/{id}": [
        f"/hsds/organizations/{EXAMPLE_ORGANIZATION}?full_service=true",
        f"/hsds/organizations/{public_id('organization', 't-org')}",
    ],
    "/taxonomies": ["/hsds/taxonomies", "/hsds/taxonomies?search=thema"],
    "/taxonomies/{id}": [f"/hsds/taxonomies/{public_id('taxonomy', 'thema')}"],
    "/taxonomy_terms": [
        "/hsds/taxonomy_terms",
        "/hsds/taxonomy_terms?taxonomy_id=doelgroep&top_only=true",
        "/hsds/taxonomy_terms?parent_id=0bc248fa-dc27-4650-9ba4-8f1a24ef16a2",
    ],
    "/taxonomy_terms/{id}": [f"/hsds/taxonomy_terms/{public_id('taxonomy_term', 'thema:jobcoaching')}"],
    "/service_at_locations": [
        "/hsds/service_at_locations",
        "/hsds/service_at_locations?full=true",
        "/hsds/service_at_locations?arbeidsmarktregio=AM13",
    ],
    "/service_at_locations/{id}": [f"/hsds/service_at_locations/{EXAMPLE_LINK}"],
}


def _schema_pointer(path: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/get/responses/200/content/application~1json/schema"


# openapi.json's answer for /service_at_locations/{id} refers to compiled/service.json, while its own description
# (and the list's items) say service_at_location: that one answer is checked against service_at_location.json.
SPEC_SLIPS = {"/service_at_locations/{id}": "service_at_location.json"}


def _openapi_errors(path: str, body: Any) -> List[str]:
    if path in SPEC_SLIPS:
        return hsds_schema.errors(SPEC_SLIPS[path], body, uuid=True)
    return hsds_schema.errors("openapi.json", body, _schema_pointer(path), uuid=True)


@pytest.fixture(scope="module")
def map_url(hsds_api_url: str) -> str:
    return hsds_api_url


@pytest.fixture(scope="module")
def client(map_url: str) -> FlaskClient:
    return create_app({"TESTING": True, "DATABASE_URL": map_url, "HSDS_API_PER_MINUTE": 0}).test_client()


def _get(client: FlaskClient, url: str) -> Dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_json())
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def _all_ids(client: FlaskClient, url: str, per_page: int) -> List[str]:
    ids: List[str] = []
    page = 1
    while True:
        body = _get(client, f"{url}{'&' if '?' in url else '?'}per_page={per_page}&page={page}")
        ids += [item["id"] for item in body["contents"]]
        if body["last_page"]:
            return ids
        page += 1


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_every_endpoint_answers_as_the_official_openapi_says(client: FlaskClient, path: str) -> None:
    for url in ENDPOINTS[path]:
        body = _get(client, url)
        assert _openapi_errors(path, body) == [], url
        if "{id}" not in path and path != "/":
            assert set(body) == PAGE_FIELDS and body["size"] == len(body["contents"]), url
            assert body["contents"] or "parent_id" in url, f"{url}: an empty page proves little"
        if path in ("/services/{id}", "/service_at_locations/{id}") or "full=true" in url:
            items = body.get("contents", [body])
            table = (
                "service_at_location" if "service_at" in path else "service" if "services" in path else "organization"
            )
            for item in items:  # the nested records against the official table schemas, one level at a time
                assert hsds_schema.errors(f"{table}.json", item, uuid=True) == [], url


def test_the_openapi_check_can_fail() -> None:
    broken = {"total_items": "drie", "contents": [{"id": "svc-113", "status": "open"}]}
    errors = "\n".join(_openapi_errors("/services", broken))
    assert "contents/0/id: 'svc-113' is not a 'uuid'" in errors
    assert "total_items: 'drie' is not of type 'integer'" in errors
    assert "contents/0: 'name' is a required property" in errors and "is not one of" in errors


def test_a_fully_nested_service_carries_its_related_records(client: FlaskClient) -> None:
    service = _get(client, f"/hsds/services/{EXAMPLE_SERVICE}")
    assert service["organization"]["id"] == EXAMPLE_ORGANIZATION
    assert service["program"]["name"] == "Community Mental Health Support"
    assert service["phones"][0]["number"] == "+44 1234 234567" and service["phones"][0]["extension"] == 100
    link = service["service_at_locations"][0]
    assert link["location"]["addresses"][0]["city"] == "MyCity" and link["location"]["accessibility"]
    assert [len(service[k]) for k in ("funding", "cost_options", "required_documents", "languages")] == [1, 1, 1, 1]
    assert service["attributes"] == [], "the example's attribute links to an id that is no service"
    assert "source" not in service and "demo" not in service, "this project's fields stay inside"
    ours = _get(client, "/hsds/services/t-svc")
    assert ours["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"] == public_id("taxonomy", "thema")
    assert ours["service_areas"] == [
        {"id": public_id("service_area", "t-area"), "service_id": public_id("service", "t-svc")}
    ]
    organization = _get(client, f"/hsds/organizations/{EXAMPLE_ORGANIZATION}")
    assert [s["id"] for s in organization["services"]] == [EXAMPLE_SERVICE]


def test_pages_cover_every_visible_service_once(client: FlaskClient, map_url: str) -> None:
    with session_scope(map_url) as session:
        visible = session.execute(
            select(func.count()).select_from(models.Service).where(models.Service.demo.is_(False))
        ).scalar()
    first = _get(client, "/hsds/services?per_page=40")
    assert first["total_items"] == visible and first["total_pages"] == -(-visible // 40)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    ids = _all_ids(client, "/hsds/services", 40)
    assert len(ids) == len(set(ids)) == visible
    beyond = _get(client, f"/hsds/services?per_page=40&page={first['total_pages'] + 1}")
    assert beyond["contents"] == [] and beyond["size"] == 0 and beyond["last_page"] and not beyond["empty"]
    far = _get(client, "/hsds/services?page=92233720368547760")
    assert far["contents"] == [] and far["page_number"] == 92233720368547760 and far["last_page"]
    nothing = _get(client, "/hsds/services?search=bestaat-zeker-niet-xyz")
    assert nothing["empty"] and nothing["total_items"] == 0 and nothing["total_pages"] == 1


def test_filter_by_gemeente_and_arbeidsmarktregio(client: FlaskClient) -> None:
    houten = set(_all_ids(client, "/hsds/services?gemeente=GM0321", 200))
    utrecht = set(_all_ids(client, "/hsds/services?gemeente=Utrecht", 200))
    regio_code = regions.get_gemeente("GM0321").arbeidsmarktregio.code
    regio = set(_all_ids(client, f"/hsds/services?arbeidsmarktregio={regio_code}", 200))
    ours, national = public_id("service", "t-svc"), public_id("service", "svc-113")
    assert ours in houten and ours not in utrecht and ours in regio
    assert national in houten and national in utrecht, "a resident can use the national services"
    assert national not in regio, "a region's list is what is offered in the region"
    assert EXAMPLE_SERVICE not in houten | utrecht | regio, "an area nobody recognised is in no gemeente"
    assert set(_all_ids(client, "/hsds/services?gemeente=Weesp", 200)) == set(
        _all_ids(client, "/hsds/services?gemeente=Amsterdam", 200)
    ), "Weesp is part of Amsterdam"
    links = _get(client, f"/hsds/service_at_locations?arbeidsmarktregio={regio_code}&per_page=200")
    assert all(item["service"]["id"] in regio for item in links["contents"])


@pytest.mark.parametrize(
    "query, message",
    [
        ("gemeente=Atlantis", "onbekende gemeente 'Atlantis'"),
        ("arbeidsmarktregio=AM99", "onbekende arbeidsmarktregio 'AM99'"),
        ("gemeente=GM0321&arbeidsmarktregio=AM13", "niet allebei"),
        ("page=0", "page begint bij 1"),
        ("per_page=5000", "per_page ligt tussen 1 en 200"),
        ("per_page=tien", "per_page is een geheel getal"),
        ("full=misschien", "full is true of false"),
        ("modified_after=gisteren", "modified_after is een datum"),
        ("format=ndjson", "alleen json"),
        ("postcode=3511AB", "postcode wordt niet ondersteund"),
        ("search=a%00b", "NUL-teken"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/hsds/services?{query}")
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_unknown_and_example_records_are_not_found(client: FlaskClient, map_url: str) -> None:
    assert client.get("/hsds/services/a%00b").status_code == 400
    for url in (
        "/hsds/services/bestaat-niet",
        "/hsds/services/mu-svc-clientondersteuning",
        "/hsds/organizations/mu-org-clientondersteuning",
        "/hsds/taxonomies/nee",
        "/hsds/taxonomy_terms/nee",
        "/hsds/service_at_locations/nee",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "niet gevonden" in response.get_json()["error"], url
    ids = set(_all_ids(client, "/hsds/services?gemeente=GM0344", 200))
    with session_scope(map_url) as session:
        examples = {
            public_id("service", i)
            for i in session.execute(select(models.Service.id).where(models.Service.demo.is_(True))).scalars()
        }
    assert examples and not ids & examples, "example records (demo) are not public data"


def test_public_read_only_and_without_sign_in(client: FlaskClient) -> None:
    assert client.get("/hsds/services").status_code == 200  # no session, no token
    for method in (client.post, client.put, client.delete):
        assert method("/hsds/services").status_code == 405
    document = _get(client, "/hsds/openapi.json")
    assert document["info"]["title"].startswith("Wegwijzer Werk") and document["servers"][0]["url"].endswith("/hsds")
    assert set(document["paths"]) >= set(ENDPOINTS)


def test_rate_limited_per_client_address(map_url: str) -> None:
    client = create_app({"TESTING": True, "DATABASE_URL": map_url, "HSDS_API_PER_MINUTE": 3}).test_client()
    codes = [client.get("/hsds/taxonomies", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/hsds/taxonomies", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert refused.headers["Retry-After"] == "60" and "Te veel verzoeken" in refused.get_json()["error"]
    assert client.get("/hsds/taxonomies", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_every_read_only_path_of_the_official_openapi_is_served() -> None:
    official: Set[str] = {p for p, item in hsds_schema.schema("openapi.json")["paths"].items() if "get" in item}
    assert official == set(ENDPOINTS)


def _ids(node: Any, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _ids(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _ids(v, key)
    elif isinstance(node, str) and (key in ("id", "link_id", "resource_id") or key in REFERENCES):
        yield node


def test_every_id_is_a_uuid_and_links_resolve(client: FlaskClient) -> None:
    for path, urls in ENDPOINTS.items():
        for url in urls if path != "/" else []:
            ids = list(_ids(_get(client, url)))
            assert (ids or "parent_id" in url) and all(is_uuid(i) for i in ids), url
    ours = public_id("service", "t-svc")
    assert _get(client, "/hsds/services/t-svc")["id"] == ours, "a record's own id is accepted as well"
    service = _get(client, f"/hsds/services/{ours}")
    assert _get(client, f"/hsds/organizations/{service['organization_id']}")["name"] == "Testorganisatie"
    theme = service["attributes"][0]["taxonomy_term_id"]
    assert ours in {s["id"] for s in _get(client, f"/hsds/services?taxonomy_term_id={theme}&per_page=200")["contents"]}
    assert _get(client, f"/hsds/taxonomy_terms/{theme}")["code"] == "jobcoaching"
