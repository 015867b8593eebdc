"""Back-office of the schedules app (this part)."""
