"""The Telegram channel: PTB Application (long polling or webhook), HTML replies, inline keyboards."""
