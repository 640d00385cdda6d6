"""The console channel: an interactive REPL and a scripted mode over stdin."""
