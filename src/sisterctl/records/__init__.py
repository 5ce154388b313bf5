"""The registry format, pure: one description per record type, records built from parsed
TOML and checked, records written as TOML, and where a record is written in a text.

No I/O: the store reads and writes files; this package says what their contents mean."""
