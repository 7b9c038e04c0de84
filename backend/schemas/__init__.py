"""marshmallow schemas: request validation and response shapes, also the source of openapi.json."""
