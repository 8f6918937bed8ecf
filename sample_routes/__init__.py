"""Sample data: a generated sales office in Shanghai Minhang and a tiny hand-checkable office (see README.md)."""
