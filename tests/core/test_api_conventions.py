import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.states import Conflict, InvalidTransition, check_transition

pytestmark = pytest.mark.django_db

TABLE = {"open": ("assigned",), "assigned": ("open", "accepted")}


def _view(exc):
    class Failing(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            raise exc

    return Failing.as_view()


def test_check_transition_allows_what_the_table_allows():
    check_transition(TABLE, "open", "assigned")
    with pytest.raises(InvalidTransition, match="open"):
        check_transition(TABLE, "open", "accepted", label="Task")


def test_an_invalid_transition_is_a_409_with_a_code():
    response = _view(InvalidTransition("Task: cannot go from open to accepted."))(
        APIRequestFactory().post("/x/")
    )
    assert response.status_code == 409
    assert response.data == {
        "detail": "Task: cannot go from open to accepted.",
        "code": "invalid_transition",
    }


def test_a_lost_race_is_a_409_conflict():
    response = _view(Conflict("Already claimed."))(APIRequestFactory().post("/x/"))
    assert response.status_code == 409
    assert response.data["code"] == "conflict"


def test_a_service_validation_error_is_a_400_field_map():
    exc = ValidationError({"reason": ["A reason is required."]})
    response = _view(exc)(APIRequestFactory().post("/x/"))
    assert response.status_code == 400
    assert response.data == {"reason": ["A reason is required."]}


def test_a_validation_error_without_a_field_goes_to_non_field_errors():
    response = _view(ValidationError("Nope."))(APIRequestFactory().post("/x/"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Nope."]}


def test_a_token_is_issued_for_valid_credentials_and_opens_me(api, official):
    response = api().post(
        "/api/v1/auth/token/", {"username": official.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == official.username
    assert me["jurisdiction"] == "511800"
    assert me["memberships"][0]["role"] == "official"


def test_bad_credentials_get_a_400_not_a_token(api, official):
    response = api().post("/api/v1/auth/token/", {"username": official.username, "password": "x"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_me_needs_a_login(api):
    assert api().get("/api/v1/me/").status_code in (401, 403)


def test_me_lists_every_membership_of_an_ngo_admin(api, ngo_admin, ngo):
    me = api(ngo_admin).get("/api/v1/me/").json()
    assert me["jurisdiction"] is None
    assert me["memberships"] == [
        {"organization": ngo.pk, "organization_name": ngo.name, "role": "admin"}
    ]


def test_pagination_caps_the_page_size_at_200():
    from core.api import PageNumberPagination

    assert PageNumberPagination.max_page_size == 200
    assert PageNumberPagination.page_size_query_param == "page_size"


def test_the_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_an_out_of_range_database_value_is_a_400_not_a_500():
    from django.db import DataError

    response = _view(DataError("bigint out of range"))(APIRequestFactory().post("/x/"))
    assert response.status_code == 400
    assert response.data["code"] == "out_of_range"


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_documents_the_contracts_error_responses():
    paths = _schema()["paths"]
    detail = paths["/api/v1/tasks/{id}/"]["get"]["responses"]
    assert {"200", "400", "403", "404", "429"} <= set(detail)
    assert detail["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    action = paths["/api/v1/tasks/{id}/claim/"]["post"]["responses"]
    assert {"400", "403", "404", "409"} <= set(action)
    assert action["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    assert "409" not in paths["/api/v1/regions/"]["get"]["responses"]


def test_the_schema_marks_conditional_blank_and_default_none_fields():
    organization = _schema()["components"]["schemas"]["Organization"]
    assert "contact_phone" not in organization["required"]  # members and officials only
    assert {"type": "string", "maxLength": 0} in organization["properties"]["website"]["oneOf"]
    task = _schema()["components"]["schemas"]["Task"]
    assert task["properties"]["organization_name"]["nullable"] is True


def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/alerts/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_an_error_of_a_csv_export_is_a_json_body(api):
    response = api().get("/api/v1/incidents/999999/3w/?format=csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_the_schema_links_a_created_object_to_its_detail_and_actions():
    """OpenAPI links (core.schema.add_links) let schemathesis and clients follow a create or a
    list into the object's own operations."""
    paths = _schema()["paths"]
    created = paths["/api/v1/incidents/"]["post"]["responses"]["201"]["links"]
    detail_id = paths["/api/v1/incidents/{id}/"]["get"]["operationId"]
    status_id = paths["/api/v1/incidents/{id}/status/"]["post"]["operationId"]
    targets = {link["operationId"]: link["parameters"] for link in created.values()}
    assert targets[detail_id] == {"id": "$response.body#/id"}
    assert targets[status_id] == {"id": "$response.body#/id"}
    listed = paths["/api/v1/incidents/"]["get"]["responses"]["200"]["links"]
    assert list(listed.values()) == [
        {"operationId": detail_id, "parameters": {"id": "$response.body#/results/0/id"}}
    ]


def test_the_schema_says_request_bodies_take_no_unknown_keys():
    components = _schema()["components"]["schemas"]
    assert components["IncidentCreateRequest"]["additionalProperties"] is False
    assert components["ReceiptInRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in components["Incident"]  # responses may grow
