"""The JSON Schema of the registry format, schema/registry.schema.json, shipped inside the
sisterctl package (as sisterctl.schema) so that editors can validate a registry offline."""
