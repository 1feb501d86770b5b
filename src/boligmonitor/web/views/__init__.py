"""Page views: each turns a URL's state into a :class:`~boligmonitor.web.pages.Page` (template, context and
the tidy table its downloads hold)."""
