"""Every write to payments. One module per sub-domain; each function is one transaction that
locks the payment it changes, logs the change and writes the audit trail."""
