"""Programme reporting's jobs (docs/notifications.md): e-mail delivery of the notification outbox over SMTP
(:mod:`.mail`, settings in :mod:`.mail_settings`), invitations of a round's municipalities and reminders before
its deadline (:mod:`.invitations`)."""
