"""Services of the schedules app, one module per part."""
