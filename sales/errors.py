class SaleError(Exception):
    """A refused operation on a sale; its message is a sentence the page shows as it is."""
