"""Programme reporting's pages (issue 14): the signed-in user's reports, the report form, return and comments,
and the municipality's feedback page. The router is :data:`.routes.router`; docs/reporting-store.md describes the
cycle, docs/accounts.md who may do what."""
