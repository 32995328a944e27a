"""Every write of the monitor app. Views, the admin, commands and tasks call these functions."""
