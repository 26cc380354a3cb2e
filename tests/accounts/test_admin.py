"""Django admin, for admins: every foundation model's pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

FOUNDATION_APPS = {"accounts", "frameworks", "authorities", "publication"}
MODELS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
    if model._meta.app_label in FOUNDATION_APPS
)


def test_the_reference_data_and_accounts_are_in_the_admin():
    assert {("accounts", "user"), ("frameworks", "framework"), ("authorities", "authority")} <= set(MODELS)


@pytest.mark.parametrize("app_label, model_name", MODELS)
def test_admin_pages_open(client, persona, app_label, model_name):
    persona("admin")
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app_label,
                                                                                              model_name))
    first = model.objects.order_by("pk").first()
    assert first is not None
    assert client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[first.pk])).status_code == 200


def test_frameworks_are_read_only_in_the_admin(client, persona):
    from apa.frameworks.models import Framework

    persona("admin")
    assert client.get(reverse("admin:frameworks_framework_add")).status_code == 403
    framework = Framework.objects.get(code="apa-2007")
    page = client.get(reverse("admin:frameworks_framework_change", args=[framework.pk])).content.decode()
    assert 'name="title"' not in page  # shown, not editable


def test_an_authority_officer_without_an_authority_is_a_form_error_in_the_admin(client, persona):
    from apa.accounts.models import User

    persona("admin")
    officer = User.objects.get(username="kent_officer")
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "authority"}
    data.update({"date_joined_0": "2025-01-01", "date_joined_1": "09:00:00", "groups": [],
                 "user_permissions": []})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, not a server error
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["__all__"] and "authority_role_has_authority" in str(errors)
    officer.refresh_from_db()
    assert officer.authority.dfe_code == "886"
