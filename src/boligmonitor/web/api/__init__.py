"""The JSON API under /api/v1/: routes, response models, records and the response cache."""
