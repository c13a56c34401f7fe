"""What every sign-in method shares: errors, records, sessions, one-time verifications, events, mail, rate limits,
access tokens, password hashing (see core.py for the sign-in path)."""
