"""A rep's day list served from memory, before FastAPI sees the request."""
