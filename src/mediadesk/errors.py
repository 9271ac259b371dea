"""Errors that services raise and every door (page, API, CLI) turns into its own answer.

- ``django.core.exceptions.ValidationError``: bad input, with the field named (422 in the API).
- ``django.core.exceptions.PermissionDenied``: the role does not allow it (403).
- ``django.http.Http404``: the object is not there for this user (404).
- ``Conflict``: the object's state does not allow the change, e.g. it is archived (409).
"""


class Conflict(Exception):
    """The change cannot be made in the object's current state."""
