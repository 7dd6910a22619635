"""Read-side queries for the fee schedule."""


def current_release_name():
    """Name of the current PPRRVU release (e.g. "RVU26C"), or None before any import.

    Placeholder until the release model lands (issue 3); callers already use it.
    """
    return None
