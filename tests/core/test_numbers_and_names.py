"""Numbers and names people type (core.text): full-width digits are read, other non-ASCII digits
are refused; invisible characters never become (part of) a name."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import text
from donations.forms import ReceiptForm, parse_items
from registry.forms import PersonForm
from tests.donations import factories as df
from tests.registry import factories as f

ARABIC_INDIC_100 = "\u0661\u0660\u0660"  # ١٠٠
EXTENDED_ARABIC_INDIC_5 = "\u06f5"  # ۵
FULL_WIDTH_100 = "\uff11\uff10\uff10\uff0e\uff15\uff10"  # １００．５０
RLO, ZWSP, BOM = "\u202e", "\u200b", "\ufeff"


# --- core.text --------------------------------------------------------------------------------


def test_full_width_digits_are_normalized():
    assert text.number_text(FULL_WIDTH_100) == "100.50"
    assert text.number_text("\u3000１２\u3000") == "12"


@pytest.mark.parametrize(
    "typed", [ARABIC_INDIC_100, EXTENDED_ARABIC_INDIC_5, "1²", "१२", "12\u200b"]
)
def test_other_non_ascii_digits_are_refused(typed):
    with pytest.raises(ValidationError):
        text.number_text(typed)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        (f"{RLO}张三", "张三"),
        (f"{BOM}张三", "张三"),
        (f"张{ZWSP}三", "张三"),
        ("  李四 ", "李四"),
        ("\u0301王五", "王五"),  # a leading combining mark is not a visible first character
        ("", ""),
    ],
)
def test_names_lose_invisible_characters(typed, clean):
    assert text.clean_name(typed) == clean


@pytest.mark.parametrize("typed", [RLO, BOM, f"{ZWSP}{RLO} ", "\u0301", "\x07"])
def test_a_name_with_nothing_visible_is_refused(typed):
    with pytest.raises(ValidationError):
        text.clean_name(typed)


# --- the API ------------------------------------------------------------------------------------


def _receipt(api, user, org, **extra):
    body = {
        "organization": org.pk,
        "donor_name": "张三",
        "donor_kind": "individual",
        "channel": "bank_transfer",
        "amount": "100.00",
        **extra,
    }
    return api(user).post("/api/v1/ledger/receipts/", body, format="json")


def test_a_full_width_amount_is_read_as_ascii(api, ngo, ngo_admin):
    response = _receipt(api, ngo_admin, ngo, amount=FULL_WIDTH_100)
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "100.50"


@pytest.mark.parametrize("amount", [ARABIC_INDIC_100, EXTENDED_ARABIC_INDIC_5 + "0"])
def test_an_arabic_indic_amount_is_a_400(api, ngo, ngo_admin, amount):
    response = _receipt(api, ngo_admin, ngo, amount=amount)
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]


def test_goods_quantities_follow_the_same_rule(api, ngo, ngo_admin):
    item = {"name": "矿泉水", "unit": "箱", "quantity": ARABIC_INDIC_100}
    response = _receipt(api, ngo_admin, ngo, amount=None, items=[item], channel="in_kind")
    assert response.status_code == 400
    assert "quantity" in str(response.json())


@pytest.mark.parametrize("name", [f"{RLO}张三", f"{BOM}张三", f"{ZWSP}张三"])
def test_an_invisible_character_never_becomes_the_donor_initial(api, ngo, ngo_admin, name):
    response = _receipt(api, ngo_admin, ngo, donor_name=name)
    assert response.status_code == 201, response.json()
    assert response.json()["donor_display"] == "张*"


def test_a_donor_name_of_only_invisible_characters_is_a_400(api, ngo, ngo_admin):
    response = _receipt(api, ngo_admin, ngo, donor_name=RLO + BOM)
    assert response.status_code == 400
    assert list(response.json()) == ["donor_name"]


def test_the_receipt_service_cleans_the_name_for_every_caller(ngo):
    admin = df.writer(ngo)
    entry = df.receipt(ngo, admin, donor_name=f"{RLO}张三")
    assert entry.donor_display == "张*"
    with pytest.raises(ValidationError) as caught:
        df.receipt(ngo, admin, donor_name=BOM)
    assert "donor_name" in caught.value.message_dict


def test_an_organization_name_of_invisible_characters_is_a_400(api):
    body = {
        "username": "newteam",
        "password": "a-Long-pass-2024",
        "email": "new@example.org",
        "organization": {
            "name": f"{RLO}{ZWSP}",
            "uscc": f.valid_uscc("social_service", "511826"),
            "kind": "social_service",
            "region_code": "511826",
        },
    }
    response = api().post("/api/v1/register/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"organization": {"name": ["名称中没有可见字符。"]}}


def test_an_organization_name_is_stored_without_format_characters(api, ngo, ngo_admin):
    response = api(ngo_admin).patch(
        f"/api/v1/organizations/{ngo.pk}/", {"name": f"{RLO}芦山县救援队{BOM}"}, format="json"
    )
    assert response.status_code == 200, response.json()
    ngo.refresh_from_db()
    assert ngo.name == "芦山县救援队"


def test_a_person_name_is_cleaned(api, ngo, ngo_admin):
    response = api(ngo_admin).post(
        "/api/v1/people/", {"name": f"{ZWSP}李四", "organization": ngo.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "李四"
    response = api(ngo_admin).post(
        "/api/v1/people/", {"name": ZWSP, "organization": ngo.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


# --- the pages' forms ---------------------------------------------------------------------------


def _receipt_form(**data):
    base = {"donor_kind": "individual", "channel": "bank_transfer", "donor_name": "张三"}
    return ReceiptForm(data={**base, **data})


def test_the_receipt_form_reads_full_width_and_refuses_arabic_indic(db):
    form = _receipt_form(amount=FULL_WIDTH_100)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("100.50")
    form = _receipt_form(amount=ARABIC_INDIC_100)
    assert not form.is_valid()
    assert "amount" in form.errors


def test_the_receipt_form_cleans_the_donor_name(db):
    form = _receipt_form(amount="5", donor_name=f"{RLO}张三")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["donor_name"] == "张三"
    form = _receipt_form(amount="5", donor_name=BOM)
    assert not form.is_valid()
    assert "donor_name" in form.errors


def test_goods_lines_typed_on_the_page_follow_the_rule():
    assert parse_items("矿泉水 | 箱 | ５０ | ３０")[0]["quantity"] == Decimal("50")
    with pytest.raises(ValidationError):
        parse_items(f"矿泉水 | 箱 | {ARABIC_INDIC_100}")


def test_the_person_form_cleans_the_name(db):
    form = PersonForm(data={"name": f"{BOM}李四", "social_worker_level": "none"})
    form.is_valid()
    assert form.cleaned_data.get("name") == "李四"


def test_every_number_field_of_the_apps_follows_the_digit_rule():
    from rest_framework import serializers

    from core.api import DecimalField, IntegerField
    from tests.core.test_strict_input import _project_serializers

    plain = []
    for cls in _project_serializers():
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001 - a serializer that needs context to build its fields
            continue
        for name, field in fields.items():
            if field.read_only:
                continue
            for candidate in (field, getattr(field, "child", None)):
                if isinstance(candidate, serializers.DecimalField) and not isinstance(
                    candidate, DecimalField
                ):
                    plain.append(f"{cls.__qualname__}.{name}")
                if isinstance(candidate, serializers.IntegerField) and not isinstance(
                    candidate, IntegerField
                ):
                    plain.append(f"{cls.__qualname__}.{name}")
    assert not plain, plain
