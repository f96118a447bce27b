"""The one exception the command turns into a one-line message and exit status 2."""


class StatusError(Exception):
    """Something the user can fix: no credentials, no such stack, not this application, ..."""
