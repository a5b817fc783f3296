"""The one base class of expected failures.

Commands turn any PoliteError into one line on standard error and exit status 2
(see commands.run); anything else is a bug and keeps its traceback.
"""


class PoliteError(Exception):
    """A failure the user can fix; str() says what went wrong and what to do."""
