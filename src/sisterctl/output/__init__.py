"""The output layer: views as Rich renderables or lines, and rows for JSON, CSV and TSV.

It builds; it never prints (the CLI prints)."""
