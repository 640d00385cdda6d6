"""One folder per feature, each laid out the same way and declaring what it adds (bot/app.py lists them)."""
