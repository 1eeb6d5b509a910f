"""Cases: the case list, ownership, resolution and complaint actions and their dialogs, service dates."""
