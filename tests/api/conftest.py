import os

import pytest

from app.models import service


@pytest.fixture(scope="session", autouse=True)
def models_dir(tmp_path_factory):
    """Uploaded models go to a temporary MODELS_DIR, never to the user's cache (the API's store is made on first
    use, from the environment)."""
    path = tmp_path_factory.mktemp("models")
    before = os.environ.get("MODELS_DIR")
    os.environ["MODELS_DIR"] = str(path)
    service._default_store = None
    service.forget()
    yield path
    service._default_store = None
    service.forget()
    if before is None:
        os.environ.pop("MODELS_DIR", None)
    else:
        os.environ["MODELS_DIR"] = before
