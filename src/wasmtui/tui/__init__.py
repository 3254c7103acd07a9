"""The Textual front end: a live guests x hosts matrix fed by the session's event stream."""
