"""Persistence: SQLAlchemy 2.0 async models, database access and Alembic migrations."""
