"""The one exception type for errors a person can cause; views show its message to that person."""


class DomainError(Exception):
    """A refused request, in plain language. Nothing was saved when this is raised.

    `field` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
