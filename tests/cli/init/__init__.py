"""Init mode, tested through the installed command."""
