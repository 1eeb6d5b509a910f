"""The open customer's details (phones, email, address, channel, consent, vulnerability) changed with
a reason, the earlier ones kept and brought back."""
