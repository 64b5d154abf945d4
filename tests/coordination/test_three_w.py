"""Who does what where: rows, the JSON API and the HXL-tagged CSV."""

import csv
import io

import pytest

from core.exports import safe_cell
from tests.coordination.factories import TaskFactory, TaskReportFactory
from tests.registry.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_rows_carry_organization_sector_area_activity_reached_and_status(api, incident):
    org = OrganizationFactory(name="芦山县应急救援队")
    task = TaskFactory(incident=incident, organization=org, status="in_progress", title="搜救")
    TaskReportFactory(task=task, people_served=7)
    TaskReportFactory(task=task, people_served=3)
    TaskFactory(incident=incident)  # nobody holds it: not a 3W row
    rows = api().get(f"/api/v1/incidents/{incident.pk}/3w/").json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["organization"], row["sector"], row["activity"]) == (
        "芦山县应急救援队",
        "building_collapse",
        "搜救",
    )
    assert (row["adm1_code"], row["adm2_code"], row["adm3_code"]) == ("510000", "511800", "511826")
    assert row["adm3_name"] == "芦山县"
    assert (row["reached"], row["status"]) == (10, "in_progress")


def test_the_csv_has_hxl_hashtags_and_escapes_formulas(api, incident):
    org = OrganizationFactory(name='=HYPERLINK("http://evil")')
    TaskFactory(incident=incident, organization=org, status="assigned", title="-cmd")
    response = api().get(f"/api/v1/incidents/{incident.pk}/3w/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == [
        "#org",
        "#sector",
        "#adm1+name",
        "#adm1+code",
        "#adm2+name",
        "#adm2+code",
        "#adm3+name",
        "#adm3+code",
        "#activity",
        "#reached",
        "#status",
    ]
    assert rows[2][0].startswith("'=")
    assert rows[2][8] == "'-cmd"
    assert rows[2][3] == "510000"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_starts_are_neutralized(value):
    assert safe_cell(value) == "'" + value


def test_the_page_csv_matches_the_api(client, api, incident):
    TaskFactory(incident=incident, organization=OrganizationFactory(), status="assigned")
    page_csv = client.get(f"/incidents/{incident.pk}/3w.csv").content
    api_csv = api().get(f"/api/v1/incidents/{incident.pk}/3w/?format=csv").content
    assert page_csv == api_csv
