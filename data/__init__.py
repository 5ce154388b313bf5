"""The bundled registry, data/partnerships.toml, shipped inside the sisterctl package."""
