"""What the API reads and returns, one module per area, beside ``tailorkit/api/routers/``; the pieces
every area shares are in ``common``."""
