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
