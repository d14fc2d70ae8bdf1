"""Domain errors: raised by services, turned into form errors, HTTP 4xx or API JSON by the callers."""


class DomainError(Exception):
    """A request the domain refuses; `code` is machine-readable, the message is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    status = 413


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403
