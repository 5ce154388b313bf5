"""The pure core: queries, anniversaries, timelines, statistics, checks and edits.

No I/O and no command-line words: records in, data out."""
