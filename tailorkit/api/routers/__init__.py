"""The API routes, one module per area, named like their schemas in ``tailorkit/api/schemas/``."""
