import pytest

from app.models import service
from app.models.store import ModelStore


@pytest.fixture
def store(tmp_path):
    """A model store of its own in a temporary directory; the parsed-model cache is emptied around each test."""
    service.forget()
    yield ModelStore(tmp_path / "models")
    service.forget()
