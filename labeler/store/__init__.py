"""The SQLite store: opening and checking it, its schema, transactions and the audit log."""

from labeler.store.connection import Store, backup_store, create_store, open_store
from labeler.store.errors import (
    NotAStore,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreMissing,
    StorePermission,
    StoreTooNew,
    VersionConflict,
)
from labeler.store.events import record_event

__all__ = [
    "NotAStore",
    "Store",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoreFull",
    "StoreMissing",
    "StorePermission",
    "StoreTooNew",
    "VersionConflict",
    "backup_store",
    "create_store",
    "open_store",
    "record_event",
]
