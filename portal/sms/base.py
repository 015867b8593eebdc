class SmsBackend:
    """The one interface every SMS provider implements.

    `send` hands one text to the provider and returns the provider's id for the message, so it
    can be traced on the provider's side. It raises on any failure (network, refusal, bad
    number); the outbox records the error and tries again later, so a backend never retries
    by itself and never swallows an error.
    """

    def send(self, to: str, text: str) -> str:
        """Send `text` to the phone number `to` (E.164, e.g. +33612345678); return the message id."""
        raise NotImplementedError
