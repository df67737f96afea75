"""The published OpenAPI document describes what the routes really do.

OpenAPI names each schema component by its class name, so two classes with one name publish one of
them under both uses: two ``OptionIn`` classes once made the documented body of ``POST …/options``
the questionnaire option's. These tests fail on any such clash and on any write route whose
documented request body is not the class it validates.
"""

import importlib
import inspect
import pkgutil

import pytest
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from tailorkit.api import pagination, routers, schemas
from tailorkit.api.api import api

REF = "#/components/schemas/"
api_package = "tailorkit.api."


def modules(package):
    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def schema_classes():
    """{class name: {classes of that name}} over every schema module of the API, and the query
    schema nested in the pagination class."""
    found = {}
    for module in [*modules(schemas), pagination]:
        for value in vars(module).values():
            if not isinstance(value, type) or not value.__module__.startswith(api_package):
                continue
            for cls in [value, *vars(value).values()]:
                if isinstance(cls, type) and issubclass(cls, BaseModel):
                    found.setdefault(cls.__name__, set()).add(cls)
    return found


def operations():
    """(view function, its request body class or None) of every route."""
    for module in modules(routers):
        for path_view in module.router.path_operations.values():
            for operation in path_view.operations:
                payload = inspect.signature(operation.view_func).parameters.get("payload")
                yield operation.view_func, payload.annotation if payload else None


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def test_no_two_schema_classes_share_a_name():
    clashes = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
               for name, classes in schema_classes().items() if len(classes) > 1}
    assert clashes == {}


def test_every_published_schema_is_one_class_of_the_api(document):
    classes = schema_classes()
    published = document["components"]["schemas"]
    assert published
    # ninja adds the paged list wrappers itself; every other component must be one of our classes.
    ours = {name for name in published if not name.startswith("Paged")}
    assert {name: len(classes.get(name, ())) for name in ours} == dict.fromkeys(ours, 1)


def test_every_route_has_its_own_operation_id(document):
    ids = [op["operationId"] for methods in document["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(view.__name__ for view, _payload in operations())


def _own_schemas(model):
    """{name: JSON schema} of the model and of every model nested in it, as pydantic makes them."""
    # ninja's generator, as the document uses (it leaves out null defaults).
    own = model.model_json_schema(ref_template=REF + "{model}", schema_generator=NinjaGenerateJsonSchema)
    return {model.__name__: own, **own.pop("$defs", {})}


def test_each_write_route_documents_the_body_it_validates(document):
    bodies = {op["operationId"]: op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
              for methods in document["paths"].values() for op in methods.values() if "requestBody" in op}
    payloads = {view.__name__: payload for view, payload in operations() if payload is not None}
    assert set(bodies) == set(payloads)
    assert "option_create" in payloads
    for operation_id, payload in payloads.items():
        assert bodies[operation_id] == REF + payload.__name__, operation_id
        for name, own in _own_schemas(payload).items():
            assert document["components"]["schemas"][name] == own, (operation_id, name)


def test_the_options_route_documents_a_strategy_option(document):
    body = document["paths"]["/api/organisations/{org_slug}/projects/{project_id}/options"]["post"]["requestBody"]
    name = body["content"]["application/json"]["schema"]["$ref"].removeprefix(REF)
    assert {"barrier_id", "item", "name", "description"} <= set(document["components"]["schemas"][name]["properties"])


def test_the_schema_is_built_once_per_language_and_served_from_then_on(client, monkeypatch):
    from django.utils import translation
    from ninja import NinjaAPI

    builds = []
    real = NinjaAPI.get_openapi_schema
    monkeypatch.setattr(NinjaAPI, "get_openapi_schema",
                        lambda self, **kw: builds.append(kw) or real(self, **kw))
    monkeypatch.setattr(api, "_built_schemas", {}, raising=False)
    first = client.get("/api/openapi.json")
    assert first.status_code == 200 and client.get("/api/openapi.json").content == first.content
    assert client.get("/api/docs").status_code == 200
    assert len(builds) == 1
    with translation.override("nl"):
        api.get_openapi_schema()
    assert len(builds) == 2
