"""Reading and writing other formats: each module converts between the model and one
format, with no I/O of its own (the CLI reads and writes the files)."""
