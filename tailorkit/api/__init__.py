"""REST API (OpenAPI) over the same services, selectors and permissions as the pages."""
