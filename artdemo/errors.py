"""The one exception type whose message is written for a person.

Front ends show `str(err)` to the user and log the cause; anything else that
escapes is a bug.
"""


class ArtdemoError(Exception):
    """An error the user can act on; the message says what happened and what to do."""


class OfflineError(ArtdemoError):
    """The network is off (ARTDEMO_OFFLINE=1) or unreachable; the local cache still works."""
