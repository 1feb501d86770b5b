"""The indicator page (one indicator across municipalities) and its parts: filters, table, funnel, map, about."""
