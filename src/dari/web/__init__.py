"""The web client: the chat app (`/`), the admin console (`/admin`) and the PWA files."""
