"""Errors a person sees: sentences that say what is wrong and where, one per problem."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ApaError(Exception):
    """A refusal with one or more problems; nothing was changed. `code` is stable for programs."""

    code = "invalid"

    def __init__(self, problems, code: str | None = None):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        if code:
            self.code = code
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class NotFound(ApaError):
    code = "not_found"


class PermissionDenied(ApaError):
    code = "forbidden"
