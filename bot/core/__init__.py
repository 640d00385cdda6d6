"""The kernel: engine, messages, outbox, scheduler, i18n and the helpers every feature shares."""
