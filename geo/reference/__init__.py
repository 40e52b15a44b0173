"""Reference data read once: the shared files the app builds on."""
