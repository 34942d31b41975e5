"""Every model has a factory, and each builds a valid row."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    f._meta.model: f
    for _, f in inspect.getmembers(factories, inspect.isclass)
    if issubclass(f, factory.django.DjangoModelFactory) and f._meta.model is not None
}


MODELS = [
    m for app in ("hiring", "assessments", "certificates") for m in apps.get_app_config(app).get_models()
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_model_has_a_factory_that_builds_a_valid_row(model):
    assert model in FACTORIES, f"add a factory for {model.__name__} to tests/factories.py"
    row = FACTORIES[model]()
    row.full_clean()
