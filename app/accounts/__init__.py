"""Managing people (one by one or by roster import) and the administrative tree, within scope."""
