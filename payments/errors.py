class PaymentError(Exception):
    """A payment rule refused the action; the message is a sentence the page shows."""
