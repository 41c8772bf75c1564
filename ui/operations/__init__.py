"""Long work on the record off the UI thread, in one shape:
Operation(parent, title, work).success(cb).failure(cb).run()."""
