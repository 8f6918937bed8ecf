"""Who is asking and what they may do: API tokens, the request's principal, the rules per route."""
