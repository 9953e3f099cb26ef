import pytest
from fastapi.testclient import TestClient

from app.main import app


@pytest.fixture(scope="session")
def client():
    with TestClient(app) as c:
        yield c


def assert_error(response, status: int, field: str | None = None):
    """Every 4xx has the one error shape, naming the field and the rule."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"status", "code", "field", "rule", "message"}, err
    assert err["status"] == status
    assert isinstance(err["rule"], str) and err["rule"]
    if field is not None:
        assert err["field"] == field, err
    return err
