"""The audit trail's pages (工作留痕): admins list, filter and export what organizers, admins and the
system changed. Records are written by ``app.audit``; nothing here changes them."""
