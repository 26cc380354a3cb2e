"""One router per area of the API; apa.api.api mounts them."""

from apa.api.schemas import Error

# Every operation may answer these; documenting them keeps the responses inside the spec.
ERRORS = {400: Error, 404: Error, 422: Error}


def responses(ok) -> dict:
    return {200: ok, **ERRORS}
