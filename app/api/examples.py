"""GET /api/examples: the lecture's worked examples, ready to post."""

from fastapi import APIRouter

from app.examples import all_examples

router = APIRouter(prefix="/api", tags=["examples"])


@router.get("/examples")
def examples(endpoint: str | None = None) -> dict:
    """Every example: id, endpoint, title and description (en, zh-TW), request body and expected result."""
    items = list(all_examples())
    if endpoint:
        items = [e for e in items if e["endpoint"] == endpoint]
    return {"examples": items}
