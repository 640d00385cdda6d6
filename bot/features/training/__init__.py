"""Client training: sessions per project, registration, reminders, materials and ratings."""
